import { asArray, asRecord, asString } from './decode.ts'
import { parseOptionalBaseUnits } from './money.ts'
import { parseParalleliX, parseUsage, type ParalleliXInfo, type Usage } from './wire.ts'

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant'
  content: string
}

/** Sampling parameters, named as in OpenAI's API. */
export interface SamplingParams {
  max_tokens?: number
  temperature?: number
  top_p?: number
  seed?: number
  stop?: string | string[]
}

export interface ChatRequest extends SamplingParams {
  model: string
  messages: ChatMessage[]
  /** Only nodes whose GGUF has this sha256 may serve. */
  model_hash?: string
}

export type FinishReason = 'stop' | 'length'

/** One completion: its text, token usage, cost and proof of execution. */
export interface ChatResult {
  id: string
  model: string
  text: string
  finish_reason: FinishReason
  usage: Usage
  parallelix: ParalleliXInfo
  /** What the request cost, in base units; undefined where the API does not meter. */
  cost: bigint | undefined
}

/** The JSON body of POST /chat/completions for `request`. */
export function chatBody (request: ChatRequest, stream: boolean): Record<string, unknown> {
  return {
    ...request,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {})
  }
}

export function parseFinishReason (value: unknown, what: string): FinishReason {
  return asString(value, what) === 'length' ? 'length' : 'stop'
}

/** Reads a non-streaming chat completion. */
export function parseChatCompletion (value: unknown): ChatResult {
  const body = asRecord(value, 'chat completion')
  const choice = asRecord(asArray(body.choices, 'choices')[0], 'choices[0]')
  const message = asRecord(choice.message, 'choices[0].message')
  const parallelix = asRecord(body.parallelix, 'parallelix')
  return {
    id: asString(body.id, 'id'),
    model: asString(body.model, 'model'),
    text: asString(message.content, 'choices[0].message.content'),
    finish_reason: parseFinishReason(choice.finish_reason, 'choices[0].finish_reason'),
    usage: parseUsage(body.usage),
    parallelix: parseParalleliX(parallelix),
    cost: parseOptionalBaseUnits(parallelix.cost, 'parallelix.cost')
  }
}
