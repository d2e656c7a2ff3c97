import { z } from 'zod'
import { ApiError, invalidRequest } from '../http/errors.ts'
import { chatCompletionBodySchema, parseChatRequest } from '../http/chat-request.ts'
import type { ChatMessage } from '@parallelix/protocol'
import type { BatchRequest } from './store.ts'

/** Most items one batch may hold. */
export const MAX_BATCH_ITEMS = 1_000

const chat = chatCompletionBodySchema.shape

const batchBodySchema = z.object({
  model: chat.model,
  model_hash: chat.model_hash,
  max_tokens: chat.max_tokens,
  temperature: chat.temperature,
  top_p: chat.top_p,
  seed: chat.seed,
  stop: chat.stop,
  inputs: z.array(z.union([
    z.string().min(1),
    z.object({ messages: chat.messages })
  ])).min(1).max(MAX_BATCH_ITEMS)
})

export interface ParsedBatch {
  model: string
  request: BatchRequest
  inputs: ChatMessage[][]
}

/**
 * Validates a POST /v1/batch body. Each input goes through the chat completion parser, so
 * a batch item accepts exactly what /v1/chat/completions accepts, and an error names the
 * item (`inputs.3.messages.0.content`).
 */
export function parseBatchRequest (body: unknown, defaultMaxTokens: number): ParsedBatch {
  const parsed = batchBodySchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const param = issue?.path.join('.') ?? ''
    throw invalidRequest(`Invalid value for '${param || 'body'}': ${issue?.message ?? 'invalid'}`,
      param === '' ? null : param)
  }
  const { inputs, ...shared } = parsed.data

  let request: BatchRequest | undefined
  const messages = inputs.map((input, i) => {
    const chatBody = {
      ...shared,
      messages: typeof input === 'string' ? [{ role: 'user', content: input }] : input.messages
    }
    try {
      const { completion } = parseChatRequest(chatBody, defaultMaxTokens)
      request ??= {
        ...(completion.modelHash === undefined ? {} : { modelHash: completion.modelHash }),
        params: completion.params
      }
      return completion.messages
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      const param = `inputs.${i}${err.param === null ? '' : `.${err.param}`}`
      throw invalidRequest(`Invalid value for '${param}': ${err.message}`, param)
    }
  })
  if (request === undefined) throw invalidRequest('A batch needs at least one input', 'inputs')
  return { model: shared.model, request, inputs: messages }
}
