import { z } from 'zod'
import {
  MAX_COMPLETION_TOKENS, MAX_MESSAGES, MAX_STOP_SEQUENCES, type ChatMessage
} from '@parallelix/protocol'
import { invalidRequest } from './errors.ts'
import type { CompletionRequest } from '../dispatch.ts'

const textPart = z.object({ type: z.literal('text'), text: z.string() })

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(textPart).min(1)])
})

/** The part of OpenAI's chat completion request this network serves; other fields are ignored. */
export const chatCompletionBodySchema = z.object({
  model: z.string().min(1).max(128),
  messages: z.array(messageSchema).min(1).max(MAX_MESSAGES),
  max_tokens: z.number().int().min(1).max(MAX_COMPLETION_TOKENS).nullish(),
  max_completion_tokens: z.number().int().min(1).max(MAX_COMPLETION_TOKENS).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES)]).nullish(),
  n: z.literal(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  /** ParalleliX extension: only nodes whose GGUF has this sha256 may serve. */
  model_hash: z.string().regex(/^0x[0-9a-f]{64}$/).optional()
})

export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>

export interface ParsedChatRequest {
  completion: CompletionRequest
  stream: boolean
  includeUsage: boolean
}

/** Validates an OpenAI chat completion body; errors name the offending parameter. */
export function parseChatRequest (body: unknown, defaultMaxTokens: number): ParsedChatRequest {
  if (typeof body !== 'object' || body === null) {
    throw invalidRequest('The request body must be a JSON object')
  }
  const parsed = chatCompletionBodySchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const param = issue?.path.join('.') ?? null
    throw invalidRequest(`Invalid value for '${param ?? 'body'}': ${issue?.message ?? 'invalid'}`,
      param === '' ? null : param)
  }
  const b = parsed.data
  const messages: ChatMessage[] = b.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('')
  }))
  const stop = b.stop == null ? [] : typeof b.stop === 'string' ? [b.stop] : b.stop

  return {
    completion: {
      model: b.model,
      ...(b.model_hash === undefined ? {} : { modelHash: b.model_hash }),
      messages,
      params: {
        maxTokens: b.max_completion_tokens ?? b.max_tokens ?? defaultMaxTokens,
        temperature: b.temperature ?? 1,
        topP: b.top_p ?? 1,
        ...(b.seed == null ? {} : { seed: b.seed }),
        stop
      }
    },
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true
  }
}
