import type { Db } from '../db/database.ts'

/** Width of a usage bucket: one hour, in milliseconds. */
export const USAGE_BUCKET_MS = 3_600_000

/** One closed request's contribution to its account's usage. */
export interface UsageLine {
  account: string
  /** '' for requests made with a session rather than an API key. */
  apiKeyId: string
  model: string
  /** Epoch ms the request started; it picks the hour. */
  at: number
  promptTokens: number
  completionTokens: number
  cost: bigint
}

interface Bucket {
  account: string
  hour: number
  apiKeyId: string
  model: string
  requests: number
  promptTokens: number
  completionTokens: number
  cost: bigint
}

/** Prepared statements of the hourly usage table. */
export function rollupStatements (db: Db) {
  return {
    select: db.prepare(`SELECT requests, prompt_tokens, completion_tokens, cost
      FROM ledger_usage_hourly WHERE account = ? AND hour = ? AND api_key_id = ? AND model = ?`),
    upsert: db.prepare(`INSERT INTO ledger_usage_hourly (account, hour, api_key_id, model,
      requests, prompt_tokens, completion_tokens, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, hour, api_key_id, model) DO UPDATE SET requests = excluded.requests,
        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
        cost = excluded.cost`)
  }
}

/**
 * Usage accumulated over one group commit, per account, hour, key and model, and written
 * once per bucket at its end: a batch of a thousand requests of one account costs two
 * statements here, not a thousand index updates.
 */
export class UsageRollup {
  private readonly buckets = new Map<string, Bucket>()

  constructor (private readonly stmts: ReturnType<typeof rollupStatements>) {}

  add (line: UsageLine): void {
    const hour = Math.floor(line.at / USAGE_BUCKET_MS)
    const key = `${line.account}|${hour}|${line.apiKeyId}|${line.model}`
    let b = this.buckets.get(key)
    if (b === undefined) {
      b = { account: line.account, hour, apiKeyId: line.apiKeyId, model: line.model,
        requests: 0, promptTokens: 0, completionTokens: 0, cost: 0n }
      this.buckets.set(key, b)
    }
    b.requests++
    b.promptTokens += line.promptTokens
    b.completionTokens += line.completionTokens
    b.cost += line.cost
  }

  /** Adds the accumulated buckets to the stored ones; call inside the batch transaction. */
  write (): void {
    for (const b of this.buckets.values()) {
      const row = this.stmts.select.get(b.account, b.hour, b.apiKeyId, b.model) as
        { requests: number, prompt_tokens: number, completion_tokens: number, cost: string } |
        undefined
      this.stmts.upsert.run(b.account, b.hour, b.apiKeyId, b.model,
        b.requests + (row?.requests ?? 0),
        b.promptTokens + (row?.prompt_tokens ?? 0),
        b.completionTokens + (row?.completion_tokens ?? 0),
        (b.cost + BigInt(row?.cost ?? '0')).toString())
    }
  }
}
