import { randomBytes } from 'node:crypto'
import { createLogger, type InferRequest } from '@parallelix/protocol'
import {
  closeSegment, finish, type Completion, type Progress, type Segment
} from './completion.ts'
import { FALLBACK_NODE, type FallbackServer } from './fallback/fallback-server.ts'
import { NodeRequestError } from './mesh/errors.ts'
import {
  FIRST_TOKEN_TIMEOUT_MS, IDLE_TIMEOUT_MS, requestInference, type InferOutcome
} from './mesh/infer-client.ts'
import { ReceiptRejectedError, verifyReceipt, type ReceiptRejection } from './poe/verify-receipt.ts'
import { ModelNotFoundError, NoCapableNodeError } from './scheduler/errors.ts'
import type { Peer } from '@parallelix/protocol/mesh'
import type { NodeRegistry } from './mesh/registry.ts'
import type { Lease, Priority, Scheduler } from './scheduler/scheduler.ts'

const log = createLogger('coordinator:dispatch')

/** How long a node that answered `node_busy` is passed over, and how often that may repeat. */
const BUSY_BACKOFF_MS = 250
const MAX_BUSY_RETRIES = 8

/** Failures that say the node itself is gone or frozen, not just this request. */
const EVICTING_CODES = new Set(['node_unreachable', 'node_stalled', 'node_failed'])

export type CompletionRequest = Omit<InferRequest, 'type' | 'requestId'>
export type { Completion, Segment } from './completion.ts'

export interface DispatchOptions {
  signal?: AbortSignal
  onText?: (text: string) => void
  /** Called as each segment closes, including partial ones of requests that then fail. */
  onSegment?: (segment: Segment) => void
  priority?: Priority
  /** Nodes never to use for this request (a spot check's replay excludes the checked one). */
  exclude?: Iterable<string>
  /** Serve on the coordinator's own fallback when it serves the model, before any node. */
  preferFallback?: boolean
  /** False for requests the coordinator makes itself: `onCompleted` does not see them. */
  observe?: boolean
}

export interface FailoverOptions {
  /** Longest wait for a node's first token (dial, queueing, prompt evaluation). */
  firstTokenTimeoutMs?: number
  /** Longest silence between two tokens before the node counts as stalled. */
  stallTimeoutMs?: number
  /** Nodes tried for a request whose node fails before its first token. */
  maxAttempts?: number
  /** Times a request may resume on another node after losing one mid-generation. */
  maxResumes?: number
}

export interface DispatcherOptions extends FailoverOptions {
  fallback?: FallbackServer
  /**
   * Called when a node's receipt fails verification. The request still completes (its text
   * was delivered), but that segment is marked refused: it is neither charged nor paid.
   */
  onReceiptRefused?: (node: string, reason: ReceiptRejection) => void
  /**
   * Sees every completed request before the caller meters it, e.g. to choose it for a
   * spot check; it must not throw.
   */
  onCompleted?: (body: CompletionRequest, completion: Completion) => void
}

/** What one node attempt produced, and why its receipt was refused, if it was. */
type Attempt = InferOutcome & { refused?: ReceiptRejection }

/** A fresh request id: 128 bits, URL-safe. */
export function newRequestId (): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Runs one completion on the network: lease a slot on the best node, relay its tokens,
 * verify its receipt. A node that fails before its first token is replaced invisibly; one
 * that dies mid-generation is replaced by another that continues after the text already
 * delivered (`prefill`), so the client's stream goes on. With no capable node left, the
 * coordinator's fallback serves.
 */
export class Dispatcher {
  private readonly firstTokenTimeoutMs: number
  private readonly stallTimeoutMs: number
  private readonly maxAttempts: number
  private readonly maxResumes: number
  private readonly fallback?: FallbackServer
  private readonly onReceiptRefused?: DispatcherOptions['onReceiptRefused']
  private readonly onCompleted?: DispatcherOptions['onCompleted']

  constructor (
    private readonly peer: Peer,
    private readonly registry: NodeRegistry,
    private readonly scheduler: Scheduler,
    options: DispatcherOptions = {}
  ) {
    this.firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? FIRST_TOKEN_TIMEOUT_MS
    this.stallTimeoutMs = options.stallTimeoutMs ?? IDLE_TIMEOUT_MS
    this.maxAttempts = options.maxAttempts ?? 3
    this.maxResumes = options.maxResumes ?? 3
    this.fallback = options.fallback
    this.onReceiptRefused = options.onReceiptRefused
    this.onCompleted = options.onCompleted
  }

  async complete (
    body: CompletionRequest, options: DispatchOptions = {}, requestId = newRequestId()
  ): Promise<Completion> {
    const progress: Progress = { text: '', tokens: 0, segments: [] }
    const exclude = new Set<string>(options.exclude)
    const rlog = log.child({ requestId })
    let minContext = body.params.maxTokens + estimatePromptTokens(body)
    let attempts = 0
    let busy = 0
    let lastError: Error | undefined

    for (;;) {
      options.signal?.throwIfAborted()
      const remaining = body.params.maxTokens - progress.tokens
      if (remaining <= 0) return finish(requestId, progress, 'length')
      const resumes = progress.segments.length
      const request: InferRequest = {
        type: 'request',
        ...body,
        requestId: resumes === 0 ? requestId : `${requestId}-r${resumes}`,
        params: { ...body.params, maxTokens: remaining },
        ...(progress.text === '' ? {} : { prefill: (body.prefill ?? '') + progress.text })
      }

      const target = await this.acquire(request, minContext, exclude, options, lastError)
      const node = target === FALLBACK_NODE ? FALLBACK_NODE : target.node.peerId
      const before = progress.tokens
      try {
        const outcome: Attempt = target === FALLBACK_NODE
          ? await this.runOnFallback(request, progress, options)
          : await this.runOnNode(target, request, progress, options)
        const segment = closeSegment(progress, outcome.final, node,
          outcome.final.receipt.operator, request.requestId, before, outcome.refused)
        options.onSegment?.(segment)
        const completion = finish(requestId, progress, outcome.final.finishReason)
        if (options.observe !== false) this.onCompleted?.(body, completion)
        return completion
      } catch (err) {
        const delivered = progress.tokens - before
        if (delivered > 0) {
          // Delivered without a receipt: recorded as the node's, honestly unsigned.
          options.onSegment?.(closeSegment(progress, undefined, node, this.operatorOf(target),
            request.requestId, before))
        }
        if (options.signal?.aborted === true || target === FALLBACK_NODE) throw err
        const nodeErr = err instanceof NodeRequestError ? err : undefined
        rlog.warn({ node, code: nodeErr?.code, delivered, err: (err as Error).message },
          'node attempt failed')

        if (nodeErr?.code === 'node_busy' && delivered === 0) {
          this.scheduler.markBusy(node, BUSY_BACKOFF_MS)
          if (++busy > MAX_BUSY_RETRIES) throw err
          continue
        }
        if (nodeErr?.code === 'context_length_exceeded') {
          // Another node with a larger context may still fit it.
          const ctx = target.node.advert.models.find((m) => m.id === body.model)?.contextSize ?? 0
          minContext = Math.max(minContext, ctx + 1)
        } else {
          target.stats.recordFailure(Date.now())
          if (nodeErr === undefined || !nodeErr.retryable) throw err
          if (EVICTING_CODES.has(nodeErr.code)) {
            exclude.add(node)
            this.registry.evict(node, nodeErr.code)
          } else {
            // A live node failed this request (e.g. generation_failed): others go first, but
            // it may take the retry after a pause, as when it is the only one left.
            this.scheduler.markBusy(node, BUSY_BACKOFF_MS)
          }
        }
        lastError = nodeErr
        const exhausted = delivered === 0
          ? ++attempts >= this.maxAttempts
          : progress.segments.length > this.maxResumes
        if (exhausted) throw err
      } finally {
        if (target !== FALLBACK_NODE) target.release()
      }
    }
  }

  private operatorOf (target: Lease | typeof FALLBACK_NODE): string {
    return target === FALLBACK_NODE ? this.fallback?.operator ?? '' : target.node.advert.operator
  }

  /** A lease on the best node, or the fallback when no node can take the request. */
  private async acquire (
    request: InferRequest, minContext: number, exclude: ReadonlySet<string>,
    options: DispatchOptions, lastError: Error | undefined
  ): Promise<Lease | typeof FALLBACK_NODE> {
    if (options.preferFallback === true && this.fallback?.serves(request.model) === true) {
      return FALLBACK_NODE
    }
    try {
      return await this.scheduler.acquire({
        model: request.model,
        modelHash: request.modelHash,
        minContext,
        maxTokens: request.params.maxTokens
      }, { signal: options.signal, exclude, priority: options.priority })
    } catch (err) {
      if (!(err instanceof NoCapableNodeError || err instanceof ModelNotFoundError)) throw err
      if (this.fallback?.serves(request.model) === true) return FALLBACK_NODE
      // The nodes that could serve it failed: that failure says more than "none left".
      if (lastError !== undefined) throw lastError
      if (err instanceof ModelNotFoundError) throw err
      throw new NoCapableNodeError(`${err.message}, and the coordinator's fallback ` +
        `${this.fallback === undefined ? 'is disabled' : `does not serve '${request.model}'`}` +
        '; try again shortly')
    }
  }

  private async runOnNode (
    lease: Lease, request: InferRequest, progress: Progress, options: DispatchOptions
  ): Promise<Attempt> {
    const { node } = lease
    const started = performance.now()
    let firstAt = 0
    const outcome = await requestInference(this.peer, node.peerId, request, {
      signal: options.signal,
      firstTokenTimeoutMs: this.firstTokenTimeoutMs,
      idleTimeoutMs: this.stallTimeoutMs,
      onText: (text, tokens) => {
        if (firstAt === 0) firstAt = performance.now()
        deliver(progress, text, tokens, options)
      }
    })
    const ended = performance.now()
    // The node's slot is free once it sent its final frame; the next request need not
    // wait for this one's signature check, so let it open its stream first.
    lease.release()
    await new Promise((resolve) => setImmediate(resolve))
    try {
      await verifyReceipt(outcome.final, {
        request, node, text: outcome.text, countedTokens: outcome.countedTokens
      })
    } catch (err) {
      if (!(err instanceof ReceiptRejectedError)) throw err
      log.warn({ requestId: request.requestId, node: node.peerId, reason: err.reason,
        err: err.message }, 'receipt refused; the segment is neither charged nor paid')
      this.onReceiptRefused?.(node.peerId, err.reason)
      return { ...outcome, refused: err.reason }
    }
    if (outcome.final.finishReason !== 'cancelled') {
      lease.stats.recordServed({
        ttftMs: (firstAt === 0 ? ended : firstAt) - started,
        tokens: outcome.countedTokens,
        generationMs: firstAt === 0 ? 0 : ended - firstAt,
        concurrency: lease.concurrency
      }, Date.now())
    }
    return outcome
  }

  private async runOnFallback (
    request: InferRequest, progress: Progress, options: DispatchOptions
  ): Promise<InferOutcome> {
    const fallback = this.fallback
    if (fallback === undefined) throw new Error('no fallback configured')
    log.debug({ requestId: request.requestId, model: request.model }, 'served by the fallback')
    return fallback.generate(request, {
      signal: options.signal,
      onText: (text, tokens) => { deliver(progress, text, tokens, options) }
    })
  }
}

function deliver (progress: Progress, text: string, tokens: number, options: DispatchOptions) {
  progress.text += text
  progress.tokens += tokens
  options.onText?.(text)
}

/**
 * A lower bound of the prompt's tokens for any tokenizer: at most 8 bytes of text per
 * token. It keeps obviously oversized prompts off small-context nodes; a node that still
 * refuses with context_length_exceeded makes the request move to a larger context.
 */
function estimatePromptTokens (body: CompletionRequest): number {
  let bytes = Buffer.byteLength(body.prefill ?? '', 'utf8')
  for (const m of body.messages) bytes += Buffer.byteLength(m.content, 'utf8')
  return Math.ceil(bytes / 8)
}
