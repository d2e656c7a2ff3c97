import { toEpochMs } from '../format/text.ts'

/** One bucket of usage over time. `spent` is base units. */
export interface UsagePoint {
  at: number
  requests: number
  tokens: number
  spent: bigint
}

/** Totals for one model. */
export interface ModelTotals {
  model: string
  requests: number
  tokens: number
  spent: bigint
}

/** GET /v1/usage as the console shows it; null where the answer left a figure out. */
export interface UsageReading {
  balance: bigint | null
  spent: bigint | null
  requests: number | null
  tokens: number | null
  /** Buckets in time order when the answer has a time series, else empty. */
  series: UsagePoint[]
  perModel: ModelTotals[]
}

// The usage API is young: these are the names its series and per-model fields may take.
const SERIES_FIELDS = ['series', 'timeseries', 'buckets', 'daily', 'hourly', 'per_day',
  'per_hour', 'by_day', 'by_hour', 'days', 'hours']
const TIME_FIELDS = ['at', 't', 'time', 'timestamp', 'ts', 'start', 'bucket', 'date', 'day',
  'hour', 'from', 'period_start']
const MODEL_FIELDS = ['per_model', 'by_model', 'byModel', 'models']

type Json = Record<string, unknown>

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Base units from a decimal string, a safe integer or a bigint; null otherwise. */
export function baseUnits (value: unknown): bigint | null {
  if (typeof value === 'bigint') return value
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return null
}

function count (value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function tokensOf (row: Json): number | null {
  const total = count(row.total_tokens) ?? count(row.tokens) ?? count(row.totalTokens)
  if (total !== null) return total
  const prompt = count(row.prompt_tokens) ?? count(row.promptTokens)
  const completion = count(row.completion_tokens) ?? count(row.completionTokens)
  return prompt === null && completion === null ? null : (prompt ?? 0) + (completion ?? 0)
}

const spentOf = (row: Json): bigint | null =>
  baseUnits(row.credits_spent ?? row.spent ?? row.cost)

function point (row: unknown): UsagePoint | null {
  if (!isRecord(row)) return null
  const field = TIME_FIELDS.find((f) => row[f] !== undefined)
  const at = field === undefined ? null : toEpochMs(row[field])
  if (at === null) return null
  return {
    at,
    requests: count(row.requests) ?? 0,
    tokens: tokensOf(row) ?? 0,
    spent: spentOf(row) ?? 0n
  }
}

function series (body: Json): UsagePoint[] {
  for (const field of SERIES_FIELDS) {
    const value = body[field]
    if (!Array.isArray(value)) continue
    const points = value.map(point)
    if (points.length > 0 && points.every((p) => p !== null)) {
      return (points as UsagePoint[]).sort((a, b) => a.at - b.at)
    }
  }
  return []
}

function modelTotals (model: string, row: unknown): ModelTotals {
  const r = isRecord(row) ? row : {}
  return {
    model,
    requests: count(r.requests) ?? 0,
    tokens: tokensOf(r) ?? 0,
    spent: spentOf(r) ?? 0n
  }
}

function perModel (body: Json): ModelTotals[] {
  for (const field of MODEL_FIELDS) {
    const value = body[field]
    if (Array.isArray(value)) {
      return value.filter(isRecord).map((row) => modelTotals(String(row.model ?? row.id), row))
    }
    if (isRecord(value)) {
      return Object.entries(value).map(([model, row]) => modelTotals(model, row))
    }
  }
  return []
}

/**
 * Reads GET /v1/usage: the account's figures (`account_usage`, else the top level), its
 * balance (`credits.balance`, else `balance`), and every series or per-model field it knows.
 */
export function readUsage (body: unknown): UsageReading {
  const b = isRecord(body) ? body : {}
  const usage = isRecord(b.account_usage) ? b.account_usage : b
  const credits = isRecord(b.credits) ? b.credits : b
  const seriesOf = series(usage)
  return {
    balance: baseUnits(credits.balance),
    spent: spentOf(usage),
    requests: count(usage.requests),
    tokens: tokensOf(usage),
    series: seriesOf.length > 0 ? seriesOf : series(b),
    perModel: perModel(usage)
  }
}
