import { createLogger } from '@parallelix/protocol'
import { newRequestId, type Completion, type Dispatcher } from '../dispatch.ts'
import { NodeRequestError } from '../mesh/errors.ts'
import {
  CapacityExhaustedError, ModelNotFoundError, NoCapableNodeError
} from '../scheduler/errors.ts'
import { parallelixView } from '../http/parallelix-view.ts'
import { InsufficientCreditError } from '../ledger/errors.ts'
import type { RequestMeter } from '../ledger/request-meter.ts'
import type { BatchStore, ClaimedItem, ItemOutcome } from './store.ts'

const log = createLogger('coordinator:batch')

/** Attempts of one item on failing nodes before it is marked failed. */
const MAX_ITEM_ATTEMPTS = 3

/** Pause before an item runs again after its nodes failed, or after finding no capacity. */
const RETRY_DELAY_MS = 1_000
const NO_CAPACITY_DELAY_MS = 2_000

/** Results are written together at most this often: one disk sync for many items. */
const FLUSH_INTERVAL_MS = 50
const FLUSH_BATCH = 64

/** Finished batches are kept this long for their owners to read, then deleted. */
export const BATCH_RETENTION_MS = 7 * 24 * 3600_000
const PURGE_INTERVAL_MS = 3600_000

/** How often queued items are looked at even when nothing announced a change. */
const POLL_INTERVAL_MS = 500

/**
 * Items claimed per slot. The extra ones wait in the scheduler's background queue, so a
 * slot that frees is granted to the next item at once, without waiting for the previous
 * item's receipt check, its result write and a database claim.
 */
const ITEMS_PER_SLOT = 2

/** Why an item's request was aborted: the batch was cancelled, or the coordinator stops. */
const CANCELLED = new Error('batch cancelled')
const STOPPING = new Error('coordinator stopping')

interface ActiveItem {
  batchId: string
  controller: AbortController
  /** A token arrived: the item is being generated and a cancel lets it finish. */
  started: boolean
}

export interface BatchRunnerOptions {
  store: BatchStore
  dispatcher: Dispatcher
  /** Slots that can serve `model` now: the concurrency the runner allows it. */
  capacity: (model: string) => number
  /** How long finished batches are kept (default 7 days). */
  retentionMs?: number
  /**
   * Reserves an item's maximum cost for the batch's owner before it is dispatched, as for
   * any chat request; throws InsufficientCreditError when the owner cannot pay.
   */
  openMeter: (item: ClaimedItem) => Promise<RequestMeter>
}

/**
 * Fans batch items out over the pool: for each model, as many items run at once as there
 * are slots that serve it, each as a background request that yields to interactive ones.
 * Results are buffered for at most 50 ms and written in one transaction; an item whose
 * result a crash lost is still `running` in the database and runs again after restart.
 */
export class BatchRunner {
  private readonly store: BatchStore
  private readonly dispatcher: Dispatcher
  private readonly capacity: (model: string) => number
  private readonly openMeter: (item: ClaimedItem) => Promise<RequestMeter>
  private readonly active = new Map<string, ActiveItem>()
  private readonly activeByModel = new Map<string, number>()
  private outcomes: ItemOutcome[] = []
  private flushTimer?: NodeJS.Timeout
  private poller?: NodeJS.Timeout
  private purger?: NodeJS.Timeout
  private readonly retentionMs: number
  private kicked = false
  private stopped = true

  constructor (options: BatchRunnerOptions) {
    this.store = options.store
    this.dispatcher = options.dispatcher
    this.capacity = options.capacity
    this.openMeter = options.openMeter
    this.retentionMs = options.retentionMs ?? BATCH_RETENTION_MS
  }

  /** Queues again what a previous run left running, then starts pumping. */
  start (): void {
    const requeued = this.store.requeueInterrupted()
    if (requeued > 0) log.info({ requeued }, 'queued interrupted batch items again')
    this.stopped = false
    this.poller = setInterval(() => { this.kick() }, POLL_INTERVAL_MS)
    this.purge()
    this.purger = setInterval(() => { this.purge() }, PURGE_INTERVAL_MS)
    this.purger.unref()
    this.kick()
  }

  private purge (): void {
    const purged = this.store.purgeFinished(Date.now() - this.retentionMs)
    if (purged > 0) log.info({ purged }, 'deleted batches past their retention')
  }

  /** Looks for work soon; calls within one tick coalesce. */
  kick (): void {
    if (this.kicked || this.stopped) return
    this.kicked = true
    setImmediate(() => {
      this.kicked = false
      this.pump()
    })
  }

  /** Items running now. */
  get running (): number {
    return this.active.size
  }

  /**
   * Stops taking items and abandons running ones; they stay `running` in the database and
   * are queued again on the next start. Results already in hand are written first.
   */
  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.poller)
    clearInterval(this.purger)
    this.flush()
    for (const item of this.active.values()) item.controller.abort(STOPPING)
    this.active.clear()
  }

  /** Stops the batch's claimed items that have not started; started ones finish. */
  cancel (batchId: string): void {
    for (const item of this.active.values()) {
      if (item.batchId === batchId && !item.started) item.controller.abort(CANCELLED)
    }
  }

  private pump (): void {
    if (this.stopped) return
    const now = Date.now()
    for (const model of this.store.openModels()) {
      const spare = this.capacity(model) * ITEMS_PER_SLOT - (this.activeByModel.get(model) ?? 0)
      if (spare <= 0) continue
      for (const item of this.store.claim(model, spare, now, newRequestId)) this.run(item)
    }
  }

  private run (item: ClaimedItem): void {
    const key = `${item.batchId}/${item.index}`
    const model = item.request.model
    const controller = new AbortController()
    const active: ActiveItem = { batchId: item.batchId, controller, started: false }
    this.active.set(key, active)
    this.activeByModel.set(model, (this.activeByModel.get(model) ?? 0) + 1)
    const cancelled = (): boolean => controller.signal.reason === CANCELLED

    const work = async (): Promise<void> => {
      let meter: RequestMeter
      try {
        meter = await this.openMeter(item)
      } catch (err) {
        this.settle(failure(item, err, Date.now()))
        return
      }
      try {
        const c = await this.dispatcher.complete(item.request, {
          signal: controller.signal,
          priority: 'background',
          onText: () => { active.started = true },
          onSegment: meter.onSegment
        }, item.requestId)
        const cost = await meter.complete(c)
        this.settle(cancelled() ? { kind: 'cancelled', batchId: item.batchId, index: item.index }
          : completed(item, c, cost))
      } catch (err) {
        await meter.fail().catch((e: unknown) => { log.error({ err: e }, 'metering failed') })
        if (cancelled()) {
          this.settle({ kind: 'cancelled', batchId: item.batchId, index: item.index })
        } else if (!controller.signal.aborted) this.settle(failure(item, err, Date.now()))
      }
    }
    work()
      .finally(() => {
        this.active.delete(key)
        this.activeByModel.set(model, (this.activeByModel.get(model) ?? 1) - 1)
        this.kick()
      })
  }

  private settle (outcome: ItemOutcome): void {
    if (this.stopped) return
    this.outcomes.push(outcome)
    if (this.outcomes.length >= FLUSH_BATCH) this.flush()
    else this.flushTimer ??= setTimeout(() => { this.flush() }, FLUSH_INTERVAL_MS)
  }

  private flush (): void {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.outcomes.length === 0) return
    const outcomes = this.outcomes
    this.outcomes = []
    try {
      this.store.record(outcomes, Date.now())
    } catch (err) {
      // The items stay `running` and run again after a restart; nothing is lost.
      log.error({ err, items: outcomes.length }, 'could not record batch results')
    }
  }
}

function completed (item: ClaimedItem, c: Completion, cost: bigint): ItemOutcome {
  return {
    kind: 'completed',
    batchId: item.batchId,
    index: item.index,
    text: c.text,
    finishReason: c.finishReason,
    promptTokens: c.usage.promptTokens,
    completionTokens: c.usage.completionTokens,
    node: c.node,
    parallelix: { ...parallelixView(c), cost: cost.toString() }
  }
}

function failure (item: ClaimedItem, err: unknown, now: number): ItemOutcome {
  const { batchId, index } = item
  // Nothing could take it now: wait for the pool, without spending an attempt.
  if (err instanceof NoCapableNodeError || err instanceof ModelNotFoundError ||
      err instanceof CapacityExhaustedError) {
    return { kind: 'retry', batchId, index, attempts: item.attempts,
      notBefore: now + NO_CAPACITY_DELAY_MS }
  }
  const attempts = item.attempts + 1
  const permanent = (err instanceof NodeRequestError && !err.retryable) ||
    err instanceof InsufficientCreditError
  if (permanent || attempts >= MAX_ITEM_ATTEMPTS) {
    const e = err as { code?: unknown, message?: unknown }
    log.debug({ batchId, index, err: String(e.message) }, 'batch item failed')
    return {
      kind: 'failed',
      batchId,
      index,
      attempts,
      error: {
        code: typeof e.code === 'string' ? e.code : 'item_failed',
        message: typeof e.message === 'string' ? e.message : 'the item failed'
      }
    }
  }
  return { kind: 'retry', batchId, index, attempts, notBefore: now + RETRY_DELAY_MS }
}
