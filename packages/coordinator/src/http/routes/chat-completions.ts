import type { FastifyInstance } from 'fastify'
import { errorBody, toApiError } from '../errors.ts'
import { parseChatRequest } from '../chat-request.ts'
import { newRequestId, type Completion, type Dispatcher } from '../../dispatch.ts'
import { parallelixView } from '../parallelix-view.ts'
import { RequestMeter } from '../../ledger/request-meter.ts'
import type { Ledger } from '../../ledger/ledger.ts'
import type { Metering } from '../../ledger/metering.ts'

export interface ChatRouteOptions {
  dispatcher: Dispatcher
  defaultMaxTokens: number
  /** Prices every request; `parallelix.cost` reports it. */
  metering: Metering
  /** Charges requests of authenticated callers; absent with auth off. */
  ledger?: Ledger
}

function usage (c: Completion) {
  const { promptTokens, completionTokens } = c.usage
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens
  }
}

function finishReason (c: Completion): 'stop' | 'length' {
  return c.finishReason === 'length' ? 'length' : 'stop'
}

/** POST /v1/chat/completions, non-streaming and SSE streaming. */
export async function chatCompletionsRoute (app: FastifyInstance, opts: ChatRouteOptions) {
  app.post('/v1/chat/completions', async (request, reply) => {
    const parsed = parseChatRequest(request.body, opts.defaultMaxTokens)
    const requestId = newRequestId()
    const id = `chatcmpl-${requestId}`
    const created = Math.floor(Date.now() / 1000)
    const model = parsed.completion.model
    const controller = new AbortController()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'))
    })
    // Reserves the maximum cost before anything is dispatched (402 when it cannot).
    const meter = await RequestMeter.open(opts.metering, parsed.completion, requestId,
      opts.ledger === undefined || request.owner === null
        ? undefined
        : { ledger: opts.ledger, account: request.owner, apiKeyId: request.apiKeyId })

    if (!parsed.stream) {
      const c = await opts.dispatcher.complete(parsed.completion,
        { signal: controller.signal, onSegment: meter.onSegment }, requestId)
        .catch(async (err: unknown) => {
          await meter.fail()
          throw err
        })
      const cost = await meter.complete(c)
      return {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{
          index: 0,
          message: { role: 'assistant', content: c.text, refusal: null },
          logprobs: null,
          finish_reason: finishReason(c)
        }],
        usage: usage(c),
        parallelix: { ...parallelixView(c), cost: cost.toString() }
      }
    }

    // Headers go out with the first token, so that errors before it (unknown model, no
    // capacity, a node failing early) still get a proper status code.
    const chunk = (delta: object, finish: string | null, extra: object = {}): string =>
      `data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra
      })}\n\n`
    let started = false
    const start = (): void => {
      if (started) return
      started = true
      reply.hijack()
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': requestId
      })
      reply.raw.write(chunk({ role: 'assistant', content: '' }, null))
    }

    try {
      const c = await opts.dispatcher.complete(parsed.completion, {
        signal: controller.signal,
        onSegment: meter.onSegment,
        onText: (text) => {
          start()
          if (text !== '') reply.raw.write(chunk({ content: text }, null))
        }
      }, requestId)
      const info = { ...parallelixView(c), cost: (await meter.complete(c)).toString() }
      start()
      reply.raw.write(chunk({}, finishReason(c), { parallelix: info }))
      if (parsed.includeUsage) {
        reply.raw.write(`data: ${JSON.stringify({
          id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(c),
          parallelix: info
        })}\n\n`)
      }
      reply.raw.end('data: [DONE]\n\n')
    } catch (err) {
      await meter.fail()
      if (!started) throw err
      // The stream is already open: report the failure in-band, as OpenAI does.
      const apiErr = toApiError(err)
      request.log.warn({ err: apiErr.message, requestId }, 'stream failed after first token')
      if (!reply.raw.destroyed) {
        reply.raw.end(`data: ${JSON.stringify(errorBody(apiErr))}\n\ndata: [DONE]\n\n`)
      }
    }
    return reply
  })
}
