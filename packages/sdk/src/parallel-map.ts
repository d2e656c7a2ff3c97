import { createBatch, type BatchInput, type BatchItem } from './batch.ts'
import type { ChatMessage, SamplingParams } from './chat.ts'
import { MAX_BATCH_ITEMS } from './constants.ts'
import { InvalidArgumentError } from './errors.ts'
import { itemsCost, runChunk, type MapState, type MapStopReason } from './map-chunk.ts'
import type { Transport } from './transport.ts'
import type { ParalleliXInfo, Usage } from './wire.ts'

export interface MapProgress {
  total: number
  completed: number
  failed: number
  /** Base units, including the batch in flight. */
  spent: bigint
}

export interface ParallelMapOptions extends SamplingParams {
  model: string
  /** Most base units to spend; pending items are cancelled once another would exceed it. */
  budget?: bigint
  /** When to stop: pending items are cancelled and what completed is returned. */
  deadline?: Date | number
  /**
   * Items per batch (at most 1,000), so at most this many are in flight at once; batches run
   * one after another. By default every item goes in one batch.
   */
  concurrency?: number
  signal?: AbortSignal
  pollMs?: number
  onProgress?: (progress: MapProgress) => void
}

/** One item's outcome, at the same index as its input. */
export interface MapResult<T> {
  index: number
  input: T
  status: 'completed' | 'failed' | 'cancelled'
  output?: string
  error?: { code: string, message: string }
  usage?: Usage
  /** Base units. */
  cost?: bigint
  /** Who served it, with its signed receipt. */
  parallelix?: ParalleliXInfo
  /** Why a cancelled item did not complete. */
  reason?: MapStopReason | 'cancelled'
}

export interface ParallelMapResult<T> {
  results: Array<MapResult<T>>
  /** Base units, Σ cost of every item. */
  spent: bigint
  stopped: MapStopReason | null
  /** Ids of the batches it submitted, in order. */
  batches: string[]
}

export type PromptOf<T> = (item: T, index: number) => string | ChatMessage[]

function validate (options: ParallelMapOptions): void {
  const c = options.concurrency
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
    throw new InvalidArgumentError(`concurrency must be a positive integer, got ${c}`)
  }
  if (options.budget !== undefined && options.budget < 0n) {
    throw new InvalidArgumentError('budget must not be negative')
  }
}

// With a budget and no price known yet, one item goes first to learn what an item costs.
function nextSize (state: MapState, limit: number, first: boolean): number {
  if (state.budget === undefined) return limit
  if (state.unitCost === 0n) return first ? 1 : limit
  const affordable = (state.budget - state.spent) / state.unitCost
  return affordable < BigInt(limit) ? Number(affordable) : limit
}

function mustStop (state: MapState): MapStopReason | null {
  if (Date.now() >= state.deadlineAt) return 'deadline'
  if (state.budget !== undefined && state.spent >= state.budget) return 'budget'
  return null
}

function toResult<T> (input: T, index: number, item: BatchItem,
  stopped: MapStopReason | null): MapResult<T> {
  const { status, output, error, usage, cost, parallelix } = item
  const done = status === 'completed' || status === 'failed'
  return {
    index, input, status: done ? status : 'cancelled',
    ...(output === undefined ? {} : { output }), ...(error === undefined ? {} : { error }),
    ...(usage === undefined ? {} : { usage }), ...(cost === undefined ? {} : { cost }),
    ...(parallelix === undefined ? {} : { parallelix }),
    ...(done ? {} : { reason: stopped ?? 'cancelled' })
  }
}

function toInput (prompt: string | ChatMessage[]): BatchInput {
  return typeof prompt === 'string' ? prompt : { messages: prompt }
}

/**
 * Runs one prompt per item across the network through the batch API and returns the results
 * in input order, each with its cost and receipt. Items still running when the budget stops
 * the map complete and are charged, so `spent` can pass `budget` by what was in flight.
 */
export async function parallelMap<T> (transport: Transport, items: readonly T[],
  toPrompt: PromptOf<T>, options: ParallelMapOptions): Promise<ParallelMapResult<T>> {
  validate(options)
  const { model, max_tokens, temperature, top_p, seed, stop, signal } = options
  const sampling = { max_tokens, temperature, top_p, seed, stop }
  const deadline = options.deadline
  const state: MapState = {
    budget: options.budget,
    deadlineAt: deadline === undefined ? Infinity : +deadline,
    spent: 0n,
    unitCost: 0n,
    stopped: null
  }
  const results: Array<MapResult<T> | undefined> = new Array(items.length)
  const batches: string[] = []
  const tally = { completed: 0, failed: 0 }

  for (let next = 0; next < items.length && state.stopped === null;) {
    state.stopped = mustStop(state)
    const limit = Math.min(options.concurrency ?? MAX_BATCH_ITEMS, MAX_BATCH_ITEMS,
      items.length - next)
    const size = nextSize(state, limit, batches.length === 0)
    if (state.stopped !== null || size === 0) {
      state.stopped ??= 'budget'
      break
    }
    const start = next
    const inputs = items.slice(start, start + size).map((item, i) =>
      toInput(toPrompt(item, start + i)))
    const batch = await createBatch(transport, { model, ...sampling, inputs }, { signal })
    batches.push(batch.id)

    const final = await runChunk(transport, batch.id, state, {
      signal,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      onPoll: (b) => options.onProgress?.({
        total: items.length,
        completed: tally.completed + b.counts.completed,
        failed: tally.failed + b.counts.failed,
        spent: state.spent + itemsCost(b.items)
      })
    })
    for (const item of final.items ?? []) {
      if (!Number.isInteger(item.index) || item.index < 0 || item.index >= size) continue
      const index = start + item.index
      results[index] = toResult(items[index] as T, index, item, state.stopped)
      if (item.cost !== undefined && item.cost > state.unitCost) state.unitCost = item.cost
    }
    state.spent += itemsCost(final.items)
    tally.completed += final.counts.completed
    tally.failed += final.counts.failed
    next += size
  }

  return {
    results: items.map((input, index) => results[index] ?? {
      index, input, status: 'cancelled', reason: state.stopped ?? 'cancelled'
    }),
    spent: state.spent,
    stopped: state.stopped,
    batches
  }
}
