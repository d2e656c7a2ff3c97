import { migrateBatches } from './schema.ts'
import type { ChatMessage, SamplingParams } from '@parallelix/protocol'
import type { Db } from '../db/database.ts'
import type { CompletionRequest } from '../dispatch.ts'

export type ItemStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

/** What every item of a batch shares. */
export interface BatchRequest {
  modelHash?: string
  params: SamplingParams
}

export interface BatchRecord {
  id: string
  owner: string
  model: string
  request: BatchRequest
  itemCount: number
  createdAt: number
  cancelledAt: number | null
  completedAt: number | null
}

export type BatchCounts = Record<ItemStatus, number> & { total: number }

export interface ItemError { code: string, message: string }

export interface ItemRecord {
  index: number
  status: ItemStatus
  attempts: number
  result: string | null
  finishReason: string | null
  promptTokens: number | null
  completionTokens: number | null
  node: string | null
  parallelix: unknown
  error: ItemError | null
  startedAt: number | null
  finishedAt: number | null
}

/** An item a runner took to work on. */
export interface ClaimedItem {
  batchId: string
  index: number
  requestId: string
  attempts: number
  request: CompletionRequest
}

export type ItemOutcome =
  | { kind: 'completed', batchId: string, index: number, text: string, finishReason: string,
    promptTokens: number, completionTokens: number, node: string, parallelix: unknown }
  | { kind: 'failed', batchId: string, index: number, attempts: number, error: ItemError }
  | { kind: 'retry', batchId: string, index: number, attempts: number, notBefore: number }
  | { kind: 'cancelled', batchId: string, index: number }

interface BatchRow {
  id: string, owner: string, model: string, request: string, item_count: number,
  created_at: number, cancelled_at: number | null, completed_at: number | null
}

interface ItemRow {
  idx: number, status: ItemStatus, attempts: number, result: string | null,
  finish_reason: string | null, prompt_tokens: number | null, completion_tokens: number | null,
  node: string | null, parallelix: string | null, error: string | null,
  started_at: number | null, finished_at: number | null
}

const PENDING = `status IN ('queued', 'running')`
const CANCELLED_AT = '(SELECT cancelled_at FROM batches WHERE batches.id = batch_items.batch_id)'

/** Batches and their items in the coordinator's SQLite database. */
export class BatchStore {
  private readonly db: Db

  constructor (db: Db) {
    this.db = db
    migrateBatches(db)
  }

  /** Stores a batch and all its items in one transaction. */
  create (batch: Omit<BatchRecord, 'cancelledAt' | 'completedAt' | 'itemCount'>,
    inputs: ChatMessage[][]): void {
    const insertBatch = this.db.prepare(`INSERT INTO batches
      (id, owner, model, request, item_count, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
    const insertItem = this.db.prepare(`INSERT INTO batch_items
      (batch_id, idx, messages, status) VALUES (?, ?, ?, 'queued')`)
    this.db.transaction(() => {
      insertBatch.run(batch.id, batch.owner, batch.model, JSON.stringify(batch.request),
        inputs.length, batch.createdAt)
      inputs.forEach((messages, i) => insertItem.run(batch.id, i, JSON.stringify(messages)))
    })()
  }

  /** The batch if `owner` owns it; anyone else is told it does not exist. */
  /** Who submitted batch `id` (and pays for its items), if it exists. */
  ownerOf (id: string): string | undefined {
    return this.db.prepare('SELECT owner FROM batches WHERE id = ?').pluck().get(id) as
      string | undefined
  }

  get (id: string, owner: string): BatchRecord | undefined {
    const row = this.db.prepare('SELECT * FROM batches WHERE id = ? AND owner = ?')
      .get(id, owner) as BatchRow | undefined
    return row === undefined ? undefined : toBatch(row)
  }

  /** The owner's batches, newest first. */
  list (owner: string, limit: number): BatchRecord[] {
    const rows = this.db.prepare(
      'SELECT * FROM batches WHERE owner = ? ORDER BY created_at DESC, id LIMIT ?'
    ).all(owner, limit) as BatchRow[]
    return rows.map(toBatch)
  }

  /** Batches of `owner` with items still to run. */
  openCount (owner: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM batches WHERE owner = ? AND completed_at IS NULL')
      .pluck().get(owner) as number
  }

  counts (id: string): BatchCounts {
    const counts: BatchCounts = {
      total: 0, queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0
    }
    const rows = this.db.prepare(
      'SELECT status, COUNT(*) AS n FROM batch_items WHERE batch_id = ? GROUP BY status'
    ).all(id) as Array<{ status: ItemStatus, n: number }>
    for (const { status, n } of rows) {
      counts[status] = n
      counts.total += n
    }
    return counts
  }

  usage (id: string): { promptTokens: number, completionTokens: number } {
    const row = this.db.prepare(`SELECT COALESCE(SUM(prompt_tokens), 0) AS p,
      COALESCE(SUM(completion_tokens), 0) AS c FROM batch_items WHERE batch_id = ?`)
      .get(id) as { p: number, c: number }
    return { promptTokens: row.p, completionTokens: row.c }
  }

  items (id: string): ItemRecord[] {
    const rows = this.db.prepare('SELECT * FROM batch_items WHERE batch_id = ? ORDER BY idx')
      .all(id) as ItemRow[]
    return rows.map(toItem)
  }

  /** Models of batches that still have items to run. */
  openModels (): string[] {
    return this.db.prepare(`SELECT DISTINCT model FROM batches
      WHERE completed_at IS NULL AND cancelled_at IS NULL`).pluck().all() as string[]
  }

  /**
   * Marks up to `limit` queued items of `model` running and returns them, oldest batch
   * first. Claimed items survive a crash as `running` and are queued again on start.
   */
  claim (model: string, limit: number, now: number, newId: () => string): ClaimedItem[] {
    const select = this.db.prepare(`SELECT i.batch_id, i.idx, i.messages, i.attempts, b.request
      FROM batch_items i JOIN batches b ON b.id = i.batch_id
      WHERE i.status = 'queued' AND i.not_before <= ? AND b.model = ?
      ORDER BY b.created_at, i.batch_id, i.idx LIMIT ?`)
    const mark = this.db.prepare(`UPDATE batch_items SET status = 'running', request_id = ?,
      started_at = ? WHERE batch_id = ? AND idx = ?`)
    const claim = this.db.transaction(() => {
      const rows = select.all(now, model, limit) as Array<{
        batch_id: string, idx: number, messages: string, attempts: number, request: string
      }>
      return rows.map((row) => {
        const requestId = newId()
        mark.run(requestId, now, row.batch_id, row.idx)
        const shared = JSON.parse(row.request) as BatchRequest
        return {
          batchId: row.batch_id,
          index: row.idx,
          requestId,
          attempts: row.attempts,
          request: {
            model,
            ...(shared.modelHash === undefined ? {} : { modelHash: shared.modelHash }),
            messages: JSON.parse(row.messages) as ChatMessage[],
            params: shared.params
          }
        }
      })
    })
    // A claim lost in a crash leaves its items queued, and claimed items are queued again
    // on start anyway: claims need no disk sync, which would cost milliseconds per item.
    // The pragma is per connection; nothing else runs between these synchronous calls.
    const synchronous = this.db.pragma('synchronous', { simple: true }) as number
    this.db.pragma('synchronous = NORMAL')
    try {
      return claim()
    } finally {
      this.db.pragma(`synchronous = ${synchronous}`)
    }
  }

  /** Records what became of running items, all in one transaction (one disk sync). */
  record (outcomes: ItemOutcome[], now: number): void {
    const complete = this.db.prepare(`UPDATE batch_items SET status = 'completed', result = ?,
      finish_reason = ?, prompt_tokens = ?, completion_tokens = ?, node = ?, parallelix = ?,
      error = NULL, finished_at = ? WHERE batch_id = ? AND idx = ? AND status = 'running'`)
    const fail = this.db.prepare(`UPDATE batch_items SET status = 'failed', attempts = ?,
      error = ?, finished_at = ? WHERE batch_id = ? AND idx = ? AND status = 'running'`)
    const retry = this.db.prepare(`UPDATE batch_items SET attempts = ?, not_before = ?,
      status = CASE WHEN ${CANCELLED_AT} IS NULL THEN 'queued' ELSE 'cancelled' END
      WHERE batch_id = ? AND idx = ? AND status = 'running'`)
    const cancel = this.db.prepare(`UPDATE batch_items SET status = 'cancelled', finished_at = ?
      WHERE batch_id = ? AND idx = ? AND status = 'running'`)
    this.db.transaction(() => {
      const touched = new Set<string>()
      for (const o of outcomes) {
        touched.add(o.batchId)
        if (o.kind === 'completed') {
          complete.run(o.text, o.finishReason, o.promptTokens, o.completionTokens, o.node,
            JSON.stringify(o.parallelix), now, o.batchId, o.index)
        } else if (o.kind === 'failed') {
          fail.run(o.attempts, JSON.stringify(o.error), now, o.batchId, o.index)
        } else if (o.kind === 'cancelled') {
          cancel.run(now, o.batchId, o.index)
        } else {
          retry.run(o.attempts, o.notBefore, o.batchId, o.index)
        }
      }
      for (const id of touched) this.closeIfDone(id, now)
    })()
  }

  /** Cancels the owner's batch: queued items stop, running ones finish. */
  cancel (id: string, owner: string, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE batches SET cancelled_at = ?
        WHERE id = ? AND owner = ? AND cancelled_at IS NULL AND completed_at IS NULL`)
        .run(now, id, owner).changes
      if (changed === 0) return this.get(id, owner) !== undefined
      this.db.prepare(`UPDATE batch_items SET status = 'cancelled', finished_at = ?
        WHERE batch_id = ? AND status = 'queued'`).run(now, id)
      this.closeIfDone(id, now)
      return true
    })()
  }

  /** Queues again every item left running by a coordinator that stopped; returns how many. */
  requeueInterrupted (): number {
    return this.db.prepare(`UPDATE batch_items SET
      status = CASE WHEN ${CANCELLED_AT} IS NULL THEN 'queued' ELSE 'cancelled' END
      WHERE status = 'running'`).run().changes
  }

  /** Deletes batches that finished before `before`, items included; returns how many. */
  purgeFinished (before: number): number {
    return this.db.prepare(
      'DELETE FROM batches WHERE completed_at IS NOT NULL AND completed_at < ?'
    ).run(before).changes
  }

  private closeIfDone (id: string, now: number): void {
    const pending = this.db.prepare(`SELECT COUNT(*) FROM batch_items WHERE batch_id = ?
      AND ${PENDING}`).pluck().get(id) as number
    if (pending === 0) {
      this.db.prepare('UPDATE batches SET completed_at = ? WHERE id = ? AND completed_at IS NULL')
        .run(now, id)
    }
  }
}

function toBatch (row: BatchRow): BatchRecord {
  return {
    id: row.id,
    owner: row.owner,
    model: row.model,
    request: JSON.parse(row.request) as BatchRequest,
    itemCount: row.item_count,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
    completedAt: row.completed_at
  }
}

function toItem (row: ItemRow): ItemRecord {
  return {
    index: row.idx,
    status: row.status,
    attempts: row.attempts,
    result: row.result,
    finishReason: row.finish_reason,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    node: row.node,
    parallelix: row.parallelix === null ? null : JSON.parse(row.parallelix),
    error: row.error === null ? null : JSON.parse(row.error) as ItemError,
    startedAt: row.started_at,
    finishedAt: row.finished_at
  }
}
