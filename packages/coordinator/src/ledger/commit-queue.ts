import { LedgerRefusal } from './errors.ts'
import type { Db } from '../db/database.ts'

interface Pending<C> {
  transition: (ctx: C) => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

type Outcome = { ok: true, value: unknown } | { ok: false, err: unknown }

/** What a group commit needs from its context: hooks around each transition and the batch. */
export interface BatchContext {
  /** Whether the running transition has written anything yet. */
  readonly wrote: boolean
  /** Folds a transition's effects into the batch once it succeeded. */
  commitTransition: () => void
  /** Forgets a transition's effects after it threw. */
  abortTransition: () => void
  /** Writes what the batch accumulated, inside the batch's transaction. */
  finish: () => void
}

/** Thrown inside a fast batch to fall back to one savepoint per transition. */
class RetryWithSavepoints extends Error {}

/**
 * Group commit for ledger transitions. Everything submitted in one turn of the event loop
 * runs in one IMMEDIATE transaction, and the single COMMIT (one fsync with
 * synchronous=FULL) makes the whole batch durable; a promise resolves only after that.
 *
 * Each transition stays atomic. A transition refuses (LedgerRefusal) before it writes, so
 * a refusal needs no rollback. Any other throw rolls the whole batch back and runs it
 * again with a savepoint around each transition, so that only the failing one is undone.
 * Savepoints on every transition would double the statements of the common case.
 */
export class CommitQueue<C extends BatchContext> {
  private pending: Array<Pending<C>> = []
  private scheduled = false
  private readonly savepoint
  private readonly release
  private readonly rollback

  /** `onFailure` runs when a batch rolled back, to drop caches of what it wrote. */
  constructor (
    private readonly db: Db,
    private readonly begin: () => C,
    private readonly onFailure: () => void = () => {}
  ) {
    this.savepoint = db.prepare('SAVEPOINT ledger_transition')
    this.release = db.prepare('RELEASE ledger_transition')
    this.rollback = db.prepare('ROLLBACK TO ledger_transition')
  }

  submit<T> (transition: (ctx: C) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ transition, resolve: resolve as (v: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => { this.flush() })
      }
    })
  }

  private flush (): void {
    this.scheduled = false
    const batch = this.pending
    this.pending = []
    let outcomes: Outcome[]
    try {
      try {
        outcomes = this.run(batch, false)
      } catch (err) {
        if (!(err instanceof RetryWithSavepoints)) throw err
        this.onFailure()
        outcomes = this.run(batch, true)
      }
    } catch (err) {
      this.onFailure()
      for (const op of batch) op.reject(err)
      return
    }
    batch.forEach((op, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) op.resolve(outcome.value)
      else op.reject(outcome.err)
    })
  }

  private run (batch: Array<Pending<C>>, savepoints: boolean): Outcome[] {
    const outcomes: Outcome[] = []
    this.db.transaction(() => {
      const ctx = this.begin()
      for (const op of batch) {
        if (savepoints) this.savepoint.run()
        try {
          const value = op.transition(ctx)
          if (savepoints) this.release.run()
          ctx.commitTransition()
          outcomes.push({ ok: true, value })
        } catch (err) {
          const clean = err instanceof LedgerRefusal && !ctx.wrote
          if (!clean && !savepoints) throw new RetryWithSavepoints('a transition failed')
          if (savepoints) {
            this.rollback.run()
            this.release.run()
          }
          ctx.abortTransition()
          outcomes.push({ ok: false, err })
        }
      }
      ctx.finish()
    }).immediate()
    return outcomes
  }
}
