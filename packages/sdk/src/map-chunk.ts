import {
  cancelBatch, getBatch, isBatchDone, type Batch, type BatchItem
} from './batch.ts'
import { DEFAULT_POLL_MS } from './constants.ts'
import { AbortError, ApiError } from './errors.ts'
import { linkSignals, sleep } from './signal.ts'
import type { Transport } from './transport.ts'

/** Why parallelMap stopped before every item ran. */
export type MapStopReason = 'budget' | 'deadline'

/** What parallelMap carries from one batch to the next. */
export interface MapState {
  budget: bigint | undefined
  /** Epoch milliseconds; Infinity when there is no deadline. */
  deadlineAt: number
  /** Base units spent by the batches already finished. */
  spent: bigint
  /** The dearest item seen so far: the price assumed for the next one. */
  unitCost: bigint
  stopped: MapStopReason | null
}

export interface ChunkOptions {
  signal?: AbortSignal
  pollMs?: number
  onPoll?: (batch: Batch) => void
}

/** Σ cost of the items of a batch that have one. */
export function itemsCost (items: BatchItem[] | undefined): bigint {
  return (items ?? []).reduce((sum, item) => sum + (item.cost ?? 0n), 0n)
}

function dearest (items: BatchItem[] | undefined, floor: bigint): bigint {
  return (items ?? []).reduce((max, item) => item.cost !== undefined && item.cost > max
    ? item.cost
    : max, floor)
}

// Another item would take spending past the budget while some are still waiting to start.
function overBudget (state: MapState, batch: Batch): boolean {
  if (state.budget === undefined || batch.counts.queued === 0) return false
  const spent = state.spent + itemsCost(batch.items)
  return spent + dearest(batch.items, state.unitCost) > state.budget
}

/** Cancels what has not started and returns the batch as it then stands. */
async function settle (transport: Transport, id: string, signal?: AbortSignal): Promise<Batch> {
  try {
    await cancelBatch(transport, id, { signal })
  } catch (err) {
    // A batch that finished meanwhile may refuse to be cancelled; its state is what counts.
    if (!(err instanceof ApiError)) throw err
  }
  return await getBatch(transport, id, { signal })
}

/**
 * Polls one batch of parallelMap until it is done, cancelling what has not started once the
 * budget would be exceeded or the deadline passes (recorded in `state.stopped`).
 */
export async function runChunk (transport: Transport, id: string, state: MapState,
  options: ChunkOptions): Promise<Batch> {
  const deadline = new AbortController()
  const timer = Number.isFinite(state.deadlineAt)
    ? setTimeout(() => deadline.abort(), Math.max(0, state.deadlineAt - Date.now()))
    : undefined
  const linked = linkSignals(options.signal, deadline.signal)

  try {
    for (;;) {
      const batch = await getBatch(transport, id, { signal: linked.signal })
      options.onPoll?.(batch)
      if (isBatchDone(batch)) return batch
      if (overBudget(state, batch)) {
        state.stopped = 'budget'
        return await settle(transport, id, options.signal)
      }
      await sleep(options.pollMs ?? DEFAULT_POLL_MS, linked.signal)
    }
  } catch (err) {
    if (!(err instanceof AbortError)) throw err
    if (options.signal?.aborted !== true && deadline.signal.aborted) {
      state.stopped = 'deadline'
      return await settle(transport, id, options.signal)
    }
    // The caller gave up: stop the batch's pending work without waiting on the answer.
    void cancelBatch(transport, id, { maxRetries: 0 }).catch(() => {})
    throw err
  } finally {
    clearTimeout(timer)
    linked.dispose()
  }
}
