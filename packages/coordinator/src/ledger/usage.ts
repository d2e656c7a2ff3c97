import { USAGE_BUCKET_MS } from './usage-rollup.ts'
import type { Db } from '../db/database.ts'

export interface UsageTotals {
  requests: number
  promptTokens: number
  completionTokens: number
  /** Credits charged, base units. */
  cost: bigint
}

export interface UsageSummary extends UsageTotals {
  byModel: Record<string, UsageTotals>
}

/** A time window in epoch milliseconds, `from` inclusive, `to` exclusive. */
export interface UsageWindow { from: number, to: number }

interface Row { model: string, requests: number, prompt_tokens: number,
  completion_tokens: number, cost: string }

const empty = (): UsageTotals => ({ requests: 0, promptTokens: 0, completionTokens: 0, cost: 0n })

/**
 * Usage of finished requests per account or per API key, from the hourly rollup: a window
 * is widened to whole hours (see `align`). Costs are summed as bigint.
 */
export class UsageReport {
  private readonly byAccount
  private readonly byKey

  constructor (db: Db) {
    const columns = `SELECT model, requests, prompt_tokens, completion_tokens, cost
      FROM ledger_usage_hourly WHERE account = ? AND hour >= ? AND hour < ?`
    this.byAccount = db.prepare(columns)
    this.byKey = db.prepare(`${columns} AND api_key_id = ?`)
  }

  /** The window the report covers: `from` rounded down and `to` up to whole hours. */
  static align (window: UsageWindow): UsageWindow {
    return {
      from: Math.floor(window.from / USAGE_BUCKET_MS) * USAGE_BUCKET_MS,
      to: Math.ceil(window.to / USAGE_BUCKET_MS) * USAGE_BUCKET_MS
    }
  }

  account (account: string, window: UsageWindow): UsageSummary {
    const [from, to] = hours(window)
    return summarize(this.byAccount.iterate(account.toLowerCase(), from, to))
  }

  apiKey (account: string, apiKeyId: string, window: UsageWindow): UsageSummary {
    const [from, to] = hours(window)
    return summarize(this.byKey.iterate(account.toLowerCase(), from, to, apiKeyId))
  }
}

function hours (window: UsageWindow): [number, number] {
  const aligned = UsageReport.align(window)
  return [aligned.from / USAGE_BUCKET_MS, aligned.to / USAGE_BUCKET_MS]
}

function summarize (rows: Iterable<unknown>): UsageSummary {
  const total: UsageSummary = { ...empty(), byModel: {} }
  for (const row of rows as Iterable<Row>) {
    const model = total.byModel[row.model] ??= empty()
    for (const t of [total, model]) {
      t.requests += row.requests
      t.promptTokens += row.prompt_tokens
      t.completionTokens += row.completion_tokens
      t.cost += BigInt(row.cost)
    }
  }
  return total
}
