import { randomBytes } from 'node:crypto'
import { ApiError } from '../http/errors.ts'
import { ModelNotFoundError } from '../scheduler/errors.ts'
import { parseBatchRequest } from './request.ts'
import { batchSummary, itemView } from './view.ts'
import type { BatchRunner } from './runner.ts'
import type { BatchStore } from './store.ts'

/** Batches one owner may have unfinished at once; more get a 429. */
export const MAX_OPEN_BATCHES_PER_OWNER = 16

export interface BatchServiceOptions {
  store: BatchStore
  runner: BatchRunner
  /** Whether some node, or the fallback, serves `model` (now or recently). */
  knowsModel: (model: string) => boolean
  defaultMaxTokens: number
  maxOpenPerOwner?: number
}

/** The batch API's operations, each scoped to an owner: nobody sees another's batches. */
export class BatchService {
  private readonly opts: BatchServiceOptions

  constructor (opts: BatchServiceOptions) {
    this.opts = opts
  }

  /** Validates and stores a batch, then lets the runner start on it. */
  submit (owner: string, body: unknown) {
    const parsed = parseBatchRequest(body, this.opts.defaultMaxTokens)
    if (!this.opts.knowsModel(parsed.model)) throw new ModelNotFoundError(parsed.model)
    const limit = this.opts.maxOpenPerOwner ?? MAX_OPEN_BATCHES_PER_OWNER
    if (this.opts.store.openCount(owner) >= limit) {
      throw new ApiError(429, `You have ${limit} unfinished batches; wait for one to finish`,
        'rate_limit_error', 'too_many_batches', null, { 'retry-after': '10' })
    }

    const id = `batch_${randomBytes(12).toString('base64url')}`
    this.opts.store.create({
      id, owner, model: parsed.model, request: parsed.request, createdAt: Date.now()
    }, parsed.inputs)
    this.opts.runner.kick()
    return this.summary(owner, id)
  }

  /** The batch with every item, or undefined if the owner has no such batch. */
  get (owner: string, id: string) {
    const batch = this.opts.store.get(id, owner)
    if (batch === undefined) return undefined
    const counts = this.opts.store.counts(id)
    const usage = this.opts.store.usage(id)
    return {
      ...batchSummary(batch, counts),
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.promptTokens + usage.completionTokens
      },
      items: this.opts.store.items(id).map(itemView)
    }
  }

  /** The owner's latest batches without their items. */
  list (owner: string, limit = 100) {
    return this.opts.store.list(owner, limit)
      .map((batch) => batchSummary(batch, this.opts.store.counts(batch.id)))
  }

  /** Stops the batch's queued items; running ones finish. Undefined if not the owner's. */
  cancel (owner: string, id: string) {
    if (!this.opts.store.cancel(id, owner, Date.now())) return undefined
    this.opts.runner.cancel(id)
    return this.summary(owner, id)
  }

  private summary (owner: string, id: string) {
    const batch = this.opts.store.get(id, owner)
    if (batch === undefined) return undefined
    return batchSummary(batch, this.opts.store.counts(id))
  }
}
