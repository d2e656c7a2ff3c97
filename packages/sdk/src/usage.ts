import { asNumber, asRecord } from './decode.ts'
import { parseBaseUnits } from './money.ts'

/** Totals for one model. Amounts are base units. */
export interface ModelUsage {
  requests: number
  prompt_tokens: number
  completion_tokens: number
  spent: bigint
}

/** The account's usage and credit (GET /usage). Amounts are base units. */
export interface UsageReport {
  requests: number
  prompt_tokens: number
  completion_tokens: number
  spent: bigint
  reserved: bigint
  balance: bigint
  /** Credit free to spend now, where the API reports it. */
  available?: bigint
  per_model: Record<string, ModelUsage>
}

function modelUsage (value: unknown, what: string): ModelUsage {
  const m = asRecord(value, what)
  return {
    requests: asNumber(m.requests ?? 0, `${what}.requests`),
    prompt_tokens: asNumber(m.prompt_tokens ?? 0, `${what}.prompt_tokens`),
    completion_tokens: asNumber(m.completion_tokens ?? 0, `${what}.completion_tokens`),
    spent: parseBaseUnits(m.spent ?? m.credits_spent ?? '0', `${what}.spent`)
  }
}

// Per-model rows may arrive keyed by model id or as a list of rows that name their model.
function perModel (value: unknown): Record<string, ModelUsage> {
  const out: Record<string, ModelUsage> = {}
  if (value == null) return out
  if (Array.isArray(value)) {
    value.forEach((row, i) => {
      const id = asRecord(row, `per_model[${i}]`).model
      out[String(id)] = modelUsage(row, `per_model[${i}]`)
    })
    return out
  }
  for (const [id, row] of Object.entries(asRecord(value, 'per_model'))) {
    out[id] = modelUsage(row, `per_model.${id}`)
  }
  return out
}

/**
 * Reads GET /usage in either shape the API has used: flat totals with `per_model`, or
 * `account_usage` (totals and `by_model`) beside `credits` (balance, reserved, available).
 */
export function parseUsageReport (body: unknown): UsageReport {
  const u = asRecord(body, 'usage')
  const totals = u.account_usage == null ? u : asRecord(u.account_usage, 'usage.account_usage')
  const credit = u.credits == null ? u : asRecord(u.credits, 'usage.credits')
  const spent = totals.credits_spent ?? totals.spent ?? credit.spent
  return {
    requests: asNumber(totals.requests, 'usage.requests'),
    prompt_tokens: asNumber(totals.prompt_tokens, 'usage.prompt_tokens'),
    completion_tokens: asNumber(totals.completion_tokens, 'usage.completion_tokens'),
    spent: parseBaseUnits(spent, 'usage.spent'),
    reserved: parseBaseUnits(credit.reserved, 'usage.reserved'),
    balance: parseBaseUnits(credit.balance, 'usage.balance'),
    ...(credit.available == null
      ? {}
      : { available: parseBaseUnits(credit.available, 'usage.available') }),
    per_model: perModel(totals.by_model ?? totals.per_model)
  }
}
