import { migrate, type Db } from '../db/database.ts'
import type { CompletionRequest } from '../dispatch.ts'

export type SpotCheckStatus = 'scheduled' | 'passed' | 'failed' | 'inconclusive'

/** One replay of the checked request on other hardware, and what it produced. */
export interface SpotReference {
  node: string
  operator: string
  modelHash: string
  outputHash: string
  receiptHash: string
}

/** A served request chosen for a spot check, and the verdict once replayed. */
export interface SpotCheck {
  requestId: string
  node: string
  operator: string
  model: string
  modelHash: string
  receiptHash: string
  outputHash: string
  /** What is replayed; null once a verdict other than 'failed' dropped it. */
  request: CompletionRequest | null
  status: SpotCheckStatus
  references: SpotReference[]
  evidenceHash: string | null
  slashAmount: bigint | null
  slashTx: string | null
  attempts: number
  createdAt: number
  finishedAt: number | null
}

const MIGRATIONS = [
  `CREATE TABLE spot_checks (
    request_id TEXT PRIMARY KEY,
    node TEXT NOT NULL,
    operator TEXT NOT NULL,
    model TEXT NOT NULL,
    model_hash TEXT NOT NULL,
    receipt_hash TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'passed', 'failed', 'inconclusive')),
    reference_outputs TEXT NOT NULL,
    evidence_hash TEXT,
    slash_amount TEXT,
    slash_tx TEXT,
    attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX spot_checks_status ON spot_checks (status, created_at);
  CREATE INDEX spot_checks_node ON spot_checks (node, status);`
]

interface Row {
  request_id: string, node: string, operator: string, model: string, model_hash: string,
  receipt_hash: string, output_hash: string, request: string, status: SpotCheckStatus,
  reference_outputs: string, evidence_hash: string | null, slash_amount: string | null,
  slash_tx: string | null, attempts: number, created_at: number, finished_at: number | null
}

/**
 * Spot checks in the coordinator's database. A check is stored as `scheduled` before the
 * request it checks is metered, so settlement holds that receipt until a verdict exists,
 * and a restart replays whatever was still scheduled.
 */
export class SpotCheckStore {
  constructor (readonly db: Db) {
    migrate(db, 'spot_checks', MIGRATIONS)
  }

  schedule (check: Omit<SpotCheck, 'request' | 'status' | 'references' | 'evidenceHash' |
    'slashAmount' | 'slashTx' | 'attempts' | 'finishedAt'> & { request: CompletionRequest }):
  void {
    this.db.prepare(`INSERT OR IGNORE INTO spot_checks (request_id, node, operator, model,
      model_hash, receipt_hash, output_hash, request, status, reference_outputs, attempts,
      created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', '[]', 0, ?)`)
      .run(check.requestId, check.node, check.operator.toLowerCase(), check.model,
        check.modelHash, check.receiptHash.toLowerCase(), check.outputHash,
        JSON.stringify(check.request), check.createdAt)
  }

  /** Scheduled checks, oldest first. */
  scheduled (limit: number): SpotCheck[] {
    return (this.db.prepare(`SELECT * FROM spot_checks WHERE status = 'scheduled'
      ORDER BY created_at LIMIT ?`).all(limit) as Row[]).map(toCheck)
  }

  get (requestId: string): SpotCheck | undefined {
    const row = this.db.prepare('SELECT * FROM spot_checks WHERE request_id = ?')
      .get(requestId) as Row | undefined
    return row === undefined ? undefined : toCheck(row)
  }

  /** The verdict on a request, or undefined when it was never chosen. */
  status (requestId: string): SpotCheckStatus | undefined {
    return this.db.prepare('SELECT status FROM spot_checks WHERE request_id = ?')
      .pluck().get(requestId) as SpotCheckStatus | undefined
  }

  /** Whether a spot check ever caught `node`: its receipts are withheld from settlement. */
  caught (node: string): boolean {
    return this.db.prepare(`SELECT 1 FROM spot_checks WHERE node = ? AND status = 'failed'
      LIMIT 1`).pluck().get(node) !== undefined
  }

  /** Every node a spot check caught. */
  caughtNodes (): string[] {
    return this.db.prepare(`SELECT DISTINCT node FROM spot_checks WHERE status = 'failed'`)
      .pluck().all() as string[]
  }

  /** Counts an attempt that could not decide (no reference, a replay failed). */
  retryLater (requestId: string): number {
    this.db.prepare('UPDATE spot_checks SET attempts = attempts + 1 WHERE request_id = ?')
      .run(requestId)
    return this.get(requestId)?.attempts ?? 0
  }

  /**
   * Records a verdict. The user's prompt is kept only as evidence against a caught node;
   * after any other verdict it is dropped.
   */
  decide (requestId: string, verdict: Exclude<SpotCheckStatus, 'scheduled'>,
    references: SpotReference[], evidenceHash: string | null, now: number): void {
    this.db.prepare(`UPDATE spot_checks SET status = ?, reference_outputs = ?,
      evidence_hash = ?, finished_at = ?,
      request = CASE WHEN ? = 'failed' THEN request ELSE 'null' END
      WHERE request_id = ? AND status = 'scheduled'`)
      .run(verdict, JSON.stringify(references), evidenceHash, now, verdict, requestId)
  }

  recordSlash (requestId: string, amount: bigint, txHash: string): void {
    this.db.prepare('UPDATE spot_checks SET slash_amount = ?, slash_tx = ? WHERE request_id = ?')
      .run(amount.toString(), txHash, requestId)
  }

  /** Every check, newest first, for the API. */
  list (limit: number): SpotCheck[] {
    return (this.db.prepare('SELECT * FROM spot_checks ORDER BY created_at DESC LIMIT ?')
      .all(limit) as Row[]).map(toCheck)
  }
}

function toCheck (r: Row): SpotCheck {
  return {
    requestId: r.request_id,
    node: r.node,
    operator: r.operator,
    model: r.model,
    modelHash: r.model_hash,
    receiptHash: r.receipt_hash,
    outputHash: r.output_hash,
    request: JSON.parse(r.request) as CompletionRequest | null,
    status: r.status,
    references: JSON.parse(r.reference_outputs) as SpotReference[],
    evidenceHash: r.evidence_hash,
    slashAmount: r.slash_amount === null ? null : BigInt(r.slash_amount),
    slashTx: r.slash_tx,
    attempts: r.attempts,
    createdAt: r.created_at,
    finishedAt: r.finished_at
  }
}
