import { randomBytes } from 'node:crypto'
import { createLogger, type FinalFrame, type InferRequest } from '@parallelix/protocol'
import { NodeRequestError } from './mesh/errors.ts'
import { requestInference } from './mesh/infer-client.ts'
import { verifyReceipt } from './poe/verify-receipt.ts'
import type { Peer } from '@parallelix/protocol/mesh'
import type { NodeRegistry } from './mesh/registry.ts'
import type { Scheduler } from './scheduler/scheduler.ts'

const log = createLogger('coordinator:dispatch')

/** Attempts on different nodes for a request whose node fails before its first token. */
const MAX_ATTEMPTS = 3

export type CompletionRequest = Omit<InferRequest, 'type' | 'requestId'>

export interface Completion {
  requestId: string
  text: string
  finishReason: FinalFrame['finishReason']
  node: string
  operator: string
  final: FinalFrame
}

export interface DispatchOptions {
  signal?: AbortSignal
  onText?: (text: string) => void
}

/** A fresh request id: 128 bits, URL-safe. */
export function newRequestId (): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Runs one completion on the network: lease a slot on the best node, relay its tokens,
 * verify its receipt. A node that fails before producing a token is replaced by another,
 * invisibly to the caller.
 */
export class Dispatcher {
  constructor (
    private readonly peer: Peer,
    private readonly registry: NodeRegistry,
    private readonly scheduler: Scheduler
  ) {}

  async complete (
    body: CompletionRequest, options: DispatchOptions = {}, requestId = newRequestId()
  ): Promise<Completion> {
    const request: InferRequest = { type: 'request', requestId, ...body }
    const exclude = new Set<string>()
    const rlog = log.child({ requestId })

    for (let attempt = 1; ; attempt++) {
      const lease = await this.scheduler.acquire({
        model: body.model,
        modelHash: body.modelHash,
        minContext: body.params.maxTokens
      }, { signal: options.signal, exclude })
      const node = lease.node
      rlog.debug({ node: node.peerId, attempt }, 'dispatched')

      try {
        const outcome = await requestInference(this.peer, node.peerId, request, {
          signal: options.signal,
          onText: options.onText === undefined ? undefined : (text) => options.onText?.(text)
        })
        await verifyReceipt(outcome.final, {
          request, node, text: outcome.text, countedTokens: outcome.countedTokens
        })
        return {
          requestId,
          text: outcome.text,
          finishReason: outcome.final.finishReason,
          node: node.peerId,
          operator: node.advert.operator,
          final: outcome.final
        }
      } catch (err) {
        const retry = err instanceof NodeRequestError && err.retryable && err.beforeFirstToken &&
          attempt < MAX_ATTEMPTS && options.signal?.aborted !== true
        rlog.warn({ node: node.peerId, attempt, err: (err as Error).message, retry },
          'node attempt failed')
        if (err instanceof NodeRequestError && err.code !== 'node_busy') {
          if (err.code === 'node_unreachable' || err.code === 'node_stalled') {
            this.registry.evict(node.peerId, err.code)
          }
        }
        if (!retry) throw err
        exclude.add(node.peerId)
      } finally {
        lease.release()
      }
    }
  }
}
