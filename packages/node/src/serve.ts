import {
  cancelFrameSchema, createLogger, hashOutput, hashPrompt, inferRequestSchema,
  MAX_REQUEST_BYTES, MAX_RESPONSE_FRAME_BYTES, signReceipt,
  type ErrorFrame, type FinalFrame, type InferRequest, type Receipt
} from '@parallelix/protocol'
import { FramedStream } from '@parallelix/protocol/mesh'
import { EngineError } from './engine/errors.ts'
import { TokenSender } from './token-sender.ts'
import type { InferenceEngine } from './engine/engine.ts'
import type { Connection, Stream } from '@libp2p/interface'
import type { LocalAccount } from 'viem'

const log = createLogger('node:serve')

/** How long a requester has to send its request frame after opening the stream. */
const REQUEST_READ_TIMEOUT_MS = 10_000

/** A served request's signed receipt and how its generation ended. */
export type ServedReceipt = Pick<FinalFrame, 'receipt' | 'hash' | 'signature' | 'finishReason'>

export interface ServeContext {
  engine: InferenceEngine
  operator: LocalAccount
  peerId: string
  /** True once the node is shutting down: new requests are refused so they go elsewhere. */
  isDraining?: () => boolean
  /** Called after every request with its signed receipt, for stats and the local receipt log. */
  onServed?: (served: ServedReceipt) => void
}

/**
 * Serves one request on one stream: read and validate the request, stream a frame per
 * chunk of generated text, then a final frame with usage and the signed receipt. A
 * `cancel` frame stops generation early and still gets a receipt for what was produced;
 * the requester closing the stream stops generation and gets nothing more.
 */
export async function serveInferStream (
  ctx: ServeContext, stream: Stream, connection: Connection
): Promise<void> {
  const remote = connection.remotePeer.toString()
  const framed = new FramedStream(stream, {
    maxInbound: MAX_REQUEST_BYTES, maxOutbound: MAX_RESPONSE_FRAME_BYTES
  })

  let request: InferRequest
  try {
    request = await framed.read(inferRequestSchema, {
      signal: AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS)
    })
  } catch (err) {
    log.warn({ remote, reason: (err as Error).message }, 'refused malformed request; stream reset')
    stream.abort(err as Error)
    return
  }

  const rlog = log.child({ requestId: request.requestId, remote })
  const { model } = ctx.engine
  if (request.model !== model.id ||
      (request.modelHash !== undefined && request.modelHash !== model.modelHash)) {
    await sendError(framed, {
      type: 'error', code: 'model_not_found', retryable: false,
      message: `this node serves ${model.id} (${model.modelHash}), not ${request.model}`
    })
    return
  }

  if (ctx.isDraining?.() === true) {
    await sendError(framed, {
      type: 'error', code: 'node_draining', retryable: true,
      message: 'this node is shutting down and takes no new work'
    })
    return
  }

  const controller = new AbortController()
  let requesterGone = false
  framed.read(cancelFrameSchema).then(
    () => { controller.abort(new Error('cancelled by requester')) },
    () => { requesterGone = true; controller.abort(new Error('requester closed the stream')) }
  )

  const startedAt = Date.now()
  const sender = new TokenSender(framed)
  try {
    const result = await ctx.engine.generate(request, {
      signal: controller.signal,
      onText: (text, tokens) => { sender.push(text, tokens) }
    })
    await sender.flush()
    if (requesterGone) {
      rlog.debug({ completionTokens: result.completionTokens }, 'requester left mid-generation')
      return
    }

    const receipt: Receipt = {
      requestId: request.requestId,
      model: model.id,
      modelHash: model.modelHash,
      promptHash: hashPrompt(request),
      outputHash: hashOutput(result.text),
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      node: ctx.peerId,
      operator: ctx.operator.address,
      startedAt,
      finishedAt: Date.now()
    }
    const { hash, signature } = await signReceipt(receipt, ctx.operator)
    await framed.write({
      type: 'final',
      finishReason: result.finishReason,
      usage: { promptTokens: result.promptTokens, completionTokens: result.completionTokens },
      receipt,
      hash,
      signature
    } satisfies FinalFrame)
    await stream.close()
    ctx.onServed?.({ receipt, hash, signature, finishReason: result.finishReason })
    rlog.debug({ tokens: result.completionTokens, ms: receipt.finishedAt - startedAt }, 'served')
  } catch (err) {
    if (requesterGone) return
    const engineErr = err instanceof EngineError ? err : undefined
    if (engineErr === undefined) rlog.error({ err }, 'generation failed')
    await sendError(framed, {
      type: 'error',
      code: engineErr?.code ?? 'generation_failed',
      message: engineErr?.message ?? 'the node failed while generating',
      retryable: engineErr?.retryable ?? true
    })
  }
}

async function sendError (framed: FramedStream, frame: ErrorFrame): Promise<void> {
  try {
    await framed.write(frame)
    await framed.stream.close()
  } catch (err) {
    framed.stream.abort(err as Error)
  }
}
