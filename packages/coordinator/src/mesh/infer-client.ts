import { peerIdFromString } from '@libp2p/peer-id'
import {
  INFER_PROTOCOL, MAX_REQUEST_BYTES, MAX_RESPONSE_FRAME_BYTES, nodeFrameSchema,
  type CancelFrame, type FinalFrame, type InferRequest
} from '@parallelix/protocol'
import { FramedStream, type Peer } from '@parallelix/protocol/mesh'
import { NodeRequestError } from './errors.ts'

export interface InferOptions {
  /** Aborting sends a cancel frame; the node answers with a final frame for what it made. */
  signal?: AbortSignal
  onText?: (text: string, tokens: number) => void
  /** Longest wait for the first token (covers dial, queueing and prompt evaluation). */
  firstTokenTimeoutMs?: number
  /** Longest silence between two frames once tokens flow. */
  idleTimeoutMs?: number
}

export interface InferOutcome {
  /** Exactly the text relayed from the node's token frames. */
  text: string
  /** Tokens counted from the frames as they arrived. */
  countedTokens: number
  final: FinalFrame
}

/** Defaults of the stall timeouts; the coordinator's config overrides them. */
export const FIRST_TOKEN_TIMEOUT_MS = 15_000
export const IDLE_TIMEOUT_MS = 10_000
/** How long a cancelled request waits for the node's final frame. */
const CANCEL_GRACE_MS = 2_000

/**
 * Sends one request to one node over a fresh stream and relays its frames. Resolves with
 * the final frame (not yet verified) or rejects with a NodeRequestError.
 */
export async function requestInference (
  peer: Peer, nodePeerId: string, request: InferRequest, options: InferOptions = {}
): Promise<InferOutcome> {
  let stream
  const dialTimeout = AbortSignal.timeout(options.firstTokenTimeoutMs ?? FIRST_TOKEN_TIMEOUT_MS)
  try {
    stream = await peer.dialProtocol(peerIdFromString(nodePeerId), INFER_PROTOCOL, {
      signal: options.signal === undefined
        ? dialTimeout
        : AbortSignal.any([options.signal, dialTimeout]),
      // Optimistic negotiation: the request travels with the protocol proposal, saving a
      // round trip before the node can start on the prompt.
      negotiateFully: false
    })
  } catch (err) {
    const reason = (err as Error).message
    throw new NodeRequestError(`could not open a stream to ${nodePeerId}: ${reason}`,
      'node_unreachable', true, true, { cause: err })
  }
  const framed = new FramedStream(stream, {
    maxInbound: MAX_RESPONSE_FRAME_BYTES, maxOutbound: MAX_REQUEST_BYTES
  })

  let text = ''
  let countedTokens = 0
  let cancelled = false
  const onAbort = (): void => {
    if (cancelled) return
    cancelled = true
    framed.write({ type: 'cancel' } satisfies CancelFrame).catch(() => {})
  }

  try {
    await framed.write(request)
    if (options.signal?.aborted === true) onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })

    for (;;) {
      const wait = cancelled
        ? CANCEL_GRACE_MS
        : countedTokens === 0
          ? options.firstTokenTimeoutMs ?? FIRST_TOKEN_TIMEOUT_MS
          : options.idleTimeoutMs ?? IDLE_TIMEOUT_MS
      const frame = await framed.read(nodeFrameSchema, { signal: AbortSignal.timeout(wait) })

      if (frame.type === 'token') {
        text += frame.text
        countedTokens += frame.tokens
        if (!cancelled) options.onText?.(frame.text, frame.tokens)
        continue
      }
      if (frame.type === 'error') {
        throw new NodeRequestError(`node ${nodePeerId}: ${frame.message}`, frame.code,
          frame.retryable, countedTokens === 0)
      }
      await stream.close().catch(() => {})
      return { text, countedTokens, final: frame }
    }
  } catch (err) {
    stream.abort(err as Error)
    if (err instanceof NodeRequestError) throw err
    const stalled = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError'
    throw new NodeRequestError(
      `node ${nodePeerId} ${stalled ? 'stalled' : 'failed'}: ${(err as Error).message}`,
      stalled ? 'node_stalled' : 'node_failed', true, countedTokens === 0, { cause: err }
    )
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
}
