import type { Db } from '../db/database.ts'
import type { LedgerBatch } from './batch.ts'

export type RequestStatus = 'completed' | 'cancelled' | 'failed'

/** One metered request once closed: what it reserved, used and was charged. */
export interface RequestRecord {
  requestId: string
  account: string
  apiKeyId: string | null
  model: string
  status: RequestStatus
  reserved: bigint
  /** What was charged: the metered cost, never more than `reserved`. */
  cost: bigint
  promptTokens: number
  completionTokens: number
  node: string | null
  operator: string | null
  /** The node's signed receipt behind the charge, as the final frame carried it. */
  receipt: unknown
  createdAt: number
  finishedAt: number
}

interface Row {
  request_id: string
  account: string
  api_key_id: string | null
  model: string
  status: RequestStatus
  reserved: string
  cost: string
  prompt_tokens: number
  completion_tokens: number
  node: string | null
  operator: string | null
  receipt: string | null
  created_at: number
  finished_at: number
}

/** The closed requests table: written once per request, inside its settling transition. */
export class RequestRecords {
  private readonly insertStmt
  private readonly selectStmt

  constructor (db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO ledger_requests (request_id, account, api_key_id,
      model, status, reserved, cost, prompt_tokens, completion_tokens, node, operator, receipt,
      created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    // No index (see schema.ts): a lookup scans, which suits tests and audits, not a hot path.
    this.selectStmt = db.prepare(`SELECT * FROM ledger_requests
      WHERE request_id = ? AND account = ? ORDER BY id DESC`)
  }

  /** Inside a transition: records a closed request. */
  insert (batch: LedgerBatch, r: RequestRecord): void {
    batch.run(this.insertStmt, r.requestId, r.account, r.apiKeyId, r.model, r.status,
      r.reserved.toString(), r.cost.toString(), r.promptTokens, r.completionTokens, r.node,
      r.operator, r.receipt === null ? null : JSON.stringify(r.receipt), r.createdAt,
      r.finishedAt)
  }

  get (account: string, requestId: string): RequestRecord | undefined {
    const row = this.selectStmt.get(requestId, account.toLowerCase()) as Row | undefined
    if (row === undefined) return undefined
    return {
      requestId: row.request_id,
      account: row.account,
      apiKeyId: row.api_key_id,
      model: row.model,
      status: row.status,
      reserved: BigInt(row.reserved),
      cost: BigInt(row.cost),
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      node: row.node,
      operator: row.operator,
      receipt: row.receipt === null ? null : JSON.parse(row.receipt),
      createdAt: row.created_at,
      finishedAt: row.finished_at
    }
  }
}
