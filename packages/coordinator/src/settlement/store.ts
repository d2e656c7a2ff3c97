import type { Address, Hex } from 'viem'
import { migrate, type Db } from '../db/database.ts'
import type { BuiltBatch, SettlementReceipt } from './batch-builder.ts'
import {
  planJson, toBatch, toReceipt, type BatchRow, type CollectedReceipt, type ReceiptRow,
  type ReceiptStatus, type RunWrite, type StoredBatch, type StoredReceipt
} from './records.ts'
import { SETTLEMENT_MIGRATIONS } from './schema.ts'

export type {
  BatchStatus, CollectedReceipt, ReceiptStatus, RunWrite, StoredBatch, StoredReceipt
} from './records.ts'

const CURSOR = 'ledger_requests'

/** Settlement's tables: receipts taken from the ledger and the batches they settle in. */
export class SettlementStore {
  constructor (readonly db: Db) {
    migrate(db, 'settlement', SETTLEMENT_MIGRATIONS)
  }

  /** The ledger's request rows after the cursor, oldest first. */
  ledgerRowsAfterCursor (limit: number): Array<Record<string, unknown> & { id: number }> {
    const last = this.db.prepare('SELECT last_id FROM settlement_cursor WHERE name = ?')
      .pluck().get(CURSOR) as number | undefined
    return this.db.prepare(`SELECT id, request_id, account, model, operator, node, cost,
      prompt_tokens, receipt, finished_at FROM ledger_requests WHERE id > ? ORDER BY id LIMIT ?`)
      .all(last ?? 0, limit) as Array<Record<string, unknown> & { id: number }>
  }

  /**
   * Stores collected receipts and moves the cursor past them, with `run` inside the
   * caller's transaction (the one that also writes their refunds), so a row is taken once.
   */
  addReceipts (receipts: CollectedReceipt[], lastId: number, now: number, run: RunWrite): void {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO settlement_receipts (request_id,
      parent_id, receipt_hash, account, operator, node, cost, status, reason, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    for (const r of receipts) {
      run(insert, r.requestId, r.parentId, r.receiptHash.toLowerCase(), r.account.toLowerCase(),
        r.operator.toLowerCase(), r.node, r.cost.toString(), r.status, r.reason ?? null, now)
    }
    run(this.db.prepare(`INSERT INTO settlement_cursor (name, last_id) VALUES (?, ?)
      ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id`), CURSOR, lastId)
  }

  /** Receipts in one state, oldest first. */
  withStatus (status: ReceiptStatus, limit = 10_000): StoredReceipt[] {
    return (this.db.prepare(`SELECT * FROM settlement_receipts WHERE status = ?
      ORDER BY created_at, request_id LIMIT ?`).all(status, limit) as ReceiptRow[])
      .map(toReceipt)
  }

  /** Receipts of `node` that no batch holds yet (pending or held). */
  unbatchedOfNode (node: string): StoredReceipt[] {
    return (this.db.prepare(`SELECT * FROM settlement_receipts WHERE node = ?
      AND status IN ('pending', 'held')`).all(node) as ReceiptRow[]).map(toReceipt)
  }

  /** Moves a receipt between states inside the caller's transaction; false if it had moved. */
  setStatus (
    run: RunWrite, requestId: string, from: ReceiptStatus, to: ReceiptStatus, reason?: string
  ): boolean {
    return run(this.db.prepare(`UPDATE settlement_receipts SET status = ?,
      reason = coalesce(?, reason) WHERE request_id = ? AND status = ?`),
    to, reason ?? null, requestId, from).changes === 1
  }

  /** The receipts a batch holds, in leaf order. */
  ofBatch (batchId: string): StoredReceipt[] {
    return (this.db.prepare(`SELECT * FROM settlement_receipts WHERE batch_id = ?
      ORDER BY leaf_index`).all(batchId) as ReceiptRow[]).map(toReceipt)
  }

  /**
   * Takes a batch that can never settle out of the way: it becomes 'quarantined', the
   * receipts in `culprits` stay bound to it as 'quarantined' with their reason, and every
   * other receipt returns to 'pending' for the next batch. One transaction.
   */
  quarantine (batchId: string, culprits: ReadonlyMap<string, string>): void {
    const keep = this.db.prepare(`UPDATE settlement_receipts SET status = 'quarantined',
      reason = ? WHERE request_id = ? AND batch_id = ?`)
    const free = this.db.prepare(`UPDATE settlement_receipts SET status = 'pending',
      batch_id = NULL, leaf_index = NULL WHERE request_id = ? AND batch_id = ?`)
    this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE settlement_batches SET status = 'quarantined'
        WHERE batch_id = ? AND status IN ('submitting', 'failed')`).run(batchId).changes
      if (changed !== 1) throw new Error(`batch ${batchId} cannot be quarantined`)
      for (const r of this.ofBatch(batchId)) {
        const reason = culprits.get(r.requestId)
        if (reason === undefined) free.run(r.requestId, batchId)
        else keep.run(reason.slice(0, 200), r.requestId, batchId)
      }
    })()
  }

  /** Returns an account's quarantined receipts to pending; the number moved. */
  requeue (account: string): number {
    return this.db.prepare(`UPDATE settlement_receipts SET status = 'pending', reason = NULL,
      batch_id = NULL, leaf_index = NULL WHERE account = ? AND status = 'quarantined'`)
      .run(account.toLowerCase()).changes
  }

  /** A receipt by its hash, whoever's it is (hashes reveal nothing of the request). */
  byHash (receiptHash: string): StoredReceipt | undefined {
    const row = this.db.prepare('SELECT * FROM settlement_receipts WHERE receipt_hash = ?')
      .get(receiptHash.toLowerCase()) as ReceiptRow | undefined
    return row === undefined ? undefined : toReceipt(row)
  }

  /** An account's receipts collected in [from, to), newest first. */
  recentOf (account: string, from: number, to: number, limit: number): StoredReceipt[] {
    return (this.db.prepare(`SELECT * FROM settlement_receipts WHERE account = ?
      AND created_at >= ? AND created_at < ? ORDER BY created_at DESC, request_id LIMIT ?`)
      .all(account.toLowerCase(), from, to, limit) as ReceiptRow[]).map(toReceipt)
  }

  /** The receipts of one client request (one per segment), if it is the account's. */
  ofRequest (account: string, parentId: string): StoredReceipt[] {
    return (this.db.prepare(`SELECT * FROM settlement_receipts WHERE parent_id = ?
      AND account = ? ORDER BY request_id`).all(parentId, account.toLowerCase()) as ReceiptRow[])
      .map(toReceipt)
  }

  /** Receipts not yet in a batch, oldest first. */
  pending (limit: number): SettlementReceipt[] {
    const rows = this.db.prepare(`SELECT * FROM settlement_receipts WHERE status = 'pending'
      ORDER BY created_at, request_id LIMIT ?`).all(limit) as ReceiptRow[]
    return rows.map((r) => ({
      requestId: r.request_id,
      receiptHash: r.receipt_hash as Hex,
      account: r.account as Address,
      operator: r.operator as Address,
      cost: BigInt(r.cost)
    }))
  }

  pendingStats (): { count: number, oldest: number | null } {
    const row = this.db.prepare(`SELECT count(*) AS count, min(created_at) AS oldest
      FROM settlement_receipts WHERE status = 'pending'`).get() as
      { count: number, oldest: number | null }
    return row
  }

  /** Stores a batch as 'submitting' and binds its receipts to it, in one transaction. */
  saveBatch (batch: BuiltBatch, now: number): void {
    const bind = this.db.prepare(`UPDATE settlement_receipts SET status = 'batched',
      batch_id = ?, leaf_index = ? WHERE request_id = ? AND status = 'pending'`)
    this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT coalesce(max(seq), 0) FROM settlement_batches')
        .pluck().get() as number) + 1
      this.db.prepare(`INSERT INTO settlement_batches (batch_id, seq, root, receipt_count,
        debited, credited, plan, tree, status, attempts, next_attempt_at, recorded, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitting', 0, ?, 0, ?)`).run(batch.batchId, seq,
        batch.root, batch.receipts.length, batch.plan.debited.toString(),
        batch.plan.credited.toString(), planJson(batch.plan), batch.tree, now, now)
      for (const [requestId, index] of batch.leaves) {
        const changed = bind.run(batch.batchId, index, requestId).changes
        if (changed !== 1) throw new Error(`receipt ${requestId} is no longer pending`)
      }
    })()
  }

  batch (batchId: string): StoredBatch | undefined {
    const row = this.db.prepare('SELECT * FROM settlement_batches WHERE batch_id = ?')
      .get(batchId) as BatchRow | undefined
    return row === undefined ? undefined : toBatch(row)
  }

  /** Batches not yet confirmed, oldest first. */
  unfinished (): StoredBatch[] {
    return (this.db.prepare(`SELECT * FROM settlement_batches
      WHERE status NOT IN ('confirmed', 'quarantined') ORDER BY seq`).all() as BatchRow[])
      .map(toBatch)
  }

  /** Confirmed batches whose debits the ledger has not recorded yet. */
  unrecorded (): StoredBatch[] {
    return (this.db.prepare(`SELECT * FROM settlement_batches WHERE status = 'confirmed'
      AND recorded = 0 ORDER BY seq`).all() as BatchRow[]).map(toBatch)
  }

  all (): StoredBatch[] {
    return (this.db.prepare('SELECT * FROM settlement_batches ORDER BY seq')
      .all() as BatchRow[]).map(toBatch)
  }

  markSubmitted (batchId: string, txHash: Hex): void {
    this.db.prepare(`UPDATE settlement_batches SET status = 'submitted', tx_hash = ?
      WHERE batch_id = ?`).run(txHash, batchId)
  }

  markConfirmed (batchId: string, now: number): void {
    this.db.prepare(`UPDATE settlement_batches SET status = 'confirmed', confirmed_at = ?,
      last_error = NULL WHERE batch_id = ? AND status <> 'confirmed'`).run(now, batchId)
  }

  /** Schedules a retry; `dropTx` forgets a transaction that was mined and reverted. */
  markFailed (batchId: string, error: string, nextAttemptAt: number, dropTx = false): void {
    this.db.prepare(`UPDATE settlement_batches SET status = 'failed', last_error = ?,
      next_attempt_at = ?, attempts = attempts + 1,
      tx_hash = CASE WHEN ? THEN NULL ELSE tx_hash END WHERE batch_id = ?`)
      .run(error.slice(0, 1000), nextAttemptAt, dropTx ? 1 : 0, batchId)
  }

  markRecorded (batchId: string): void {
    this.db.prepare('UPDATE settlement_batches SET recorded = 1 WHERE batch_id = ?')
      .run(batchId)
  }

  /** How many of a batch's receipts are the operator's. */
  countInBatch (batchId: string, operator: string): number {
    return this.db.prepare(`SELECT count(*) FROM settlement_receipts WHERE batch_id = ?
      AND operator = ?`).pluck().get(batchId, operator.toLowerCase()) as number
  }

  /** How many of an operator's receipts will not be paid, by why: refused, withheld... */
  unpaidCounts (operator: string): Record<'refused' | 'withheld' | 'quarantined', number> {
    const rows = this.db.prepare(`SELECT status, count(*) AS n FROM settlement_receipts
      WHERE operator = ? AND status IN ('refused', 'withheld', 'quarantined')
      GROUP BY status`).all(operator.toLowerCase()) as Array<{ status: string, n: number }>
    const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0
    return {
      refused: count('refused'), withheld: count('withheld'), quarantined: count('quarantined')
    }
  }

  /** Gross cost of an operator's receipts that are in no batch yet. */
  unbatchedGross (operator: string): { receipts: number, gross: bigint } {
    const costs = this.db.prepare(`SELECT cost FROM settlement_receipts
      WHERE operator = ? AND status IN ('pending', 'held')`).pluck()
      .all(operator.toLowerCase()) as string[]
    return { receipts: costs.length, gross: costs.reduce((s, c) => s + BigInt(c), 0n) }
  }
}
