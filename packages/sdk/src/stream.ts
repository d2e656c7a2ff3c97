import { apiErrorFrom } from './api-error.ts'
import { parseFinishReason, type ChatResult, type FinishReason } from './chat.ts'
import { asRecord } from './decode.ts'
import {
  AbortError, ConnectionError, InvalidResponseError, ParalleliXError
} from './errors.ts'
import { parseOptionalBaseUnits } from './money.ts'
import { abortErrorOf } from './signal.ts'
import { readSse } from './sse.ts'
import type { OpenResponse } from './transport.ts'
import { parseParalleliX, parseUsage, type ParalleliXInfo, type Usage } from './wire.ts'

interface Progress {
  id: string
  model: string
  text: string
  finish?: FinishReason
  usage?: Usage
  parallelix?: ParalleliXInfo
  cost?: bigint
}

/**
 * A streaming chat completion: iterate it for text chunks as they are generated; once it
 * ends, `final` (and the `done` promise) hold the whole result with usage, cost and PoE.
 * Nothing is sent until it is iterated or `done` is read.
 */
export class ChatStream implements AsyncIterable<string> {
  readonly #open: () => Promise<OpenResponse>
  readonly #signal: AbortSignal | undefined
  readonly #done: Promise<ChatResult>
  #resolve: (result: ChatResult) => void = () => {}
  #reject: (err: unknown) => void = () => {}
  #started = false
  #final: ChatResult | undefined

  constructor (open: () => Promise<OpenResponse>, signal?: AbortSignal) {
    this.#open = open
    this.#signal = signal
    this.#done = new Promise<ChatResult>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    // Failures also surface through iteration; an unread `done` must not crash the process.
    this.#done.catch(() => {})
  }

  /** The complete result, once iteration has finished; undefined before. */
  get final (): ChatResult | undefined {
    return this.#final
  }

  /** Settles when the stream ends; read without iterating, it consumes the stream itself. */
  get done (): Promise<ChatResult> {
    if (!this.#started) void this.#drain()
    return this.#done
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<string, void, undefined> {
    if (this.#started) {
      throw new ParalleliXError('A ChatStream can be iterated only once', 'stream_consumed')
    }
    this.#started = true
    let settled = false
    try {
      const result = yield * this.#run()
      this.#final = result
      settled = true
      this.#resolve(result)
    } catch (err) {
      const mapped = this.#mapError(err)
      settled = true
      this.#reject(mapped)
      throw mapped
    } finally {
      if (!settled) this.#reject(new AbortError('The stream was closed before it completed'))
    }
  }

  async #drain (): Promise<void> {
    try {
      for await (const _ of this) {}
    } catch {}
  }

  async * #run (): AsyncGenerator<string, ChatResult, undefined> {
    const { response, dispose } = await this.#open()
    if (response.body === null) throw new InvalidResponseError('The stream has no body')
    const p: Progress = { id: '', model: '', text: '' }
    try {
      for await (const event of readSse(response.body)) {
        if (event.data === '[DONE]') break
        // Events already read when the caller aborts are not delivered.
        if (this.#signal?.aborted === true) throw abortErrorOf(this.#signal)
        const text = applyChunk(p, parseJson(event.data))
        if (text !== '') yield text
      }
    } finally {
      dispose()
    }
    if (p.finish === undefined || p.parallelix === undefined) {
      throw new ConnectionError('The stream ended before its final chunk')
    }
    const { receipt } = p.parallelix
    const usage = p.usage ?? {
      prompt_tokens: receipt.promptTokens,
      completion_tokens: receipt.completionTokens,
      total_tokens: receipt.promptTokens + receipt.completionTokens
    }
    return {
      id: p.id, model: p.model, text: p.text, finish_reason: p.finish, usage,
      parallelix: p.parallelix, cost: p.cost
    }
  }

  #mapError (err: unknown): ParalleliXError {
    if (this.#signal?.aborted === true) return abortErrorOf(this.#signal)
    if (err instanceof ParalleliXError) return err
    const reason = err instanceof Error ? err.message : String(err)
    return new ConnectionError(`The stream broke: ${reason}`, { cause: err })
  }
}

function parseJson (data: string): Record<string, unknown> {
  try {
    return asRecord(JSON.parse(data), 'stream event')
  } catch (err) {
    throw new InvalidResponseError('A stream event is not a JSON object', { cause: err })
  }
}

/** Folds one chunk into the progress; returns the text it adds. */
function applyChunk (p: Progress, chunk: Record<string, unknown>): string {
  if ('error' in chunk) throw apiErrorFrom(null, chunk)
  if (typeof chunk.id === 'string') p.id = chunk.id
  if (typeof chunk.model === 'string') p.model = chunk.model
  if (chunk.usage != null) p.usage = parseUsage(chunk.usage)
  if (chunk.parallelix != null) {
    p.parallelix = parseParalleliX(chunk.parallelix)
    const cost = parseOptionalBaseUnits(asRecord(chunk.parallelix, 'parallelix').cost)
    if (cost !== undefined) p.cost = cost
  }
  const choices = Array.isArray(chunk.choices) ? chunk.choices : []
  const choice = choices[0] as Record<string, unknown> | undefined
  if (choice == null) return ''
  if (choice.finish_reason != null) {
    p.finish = parseFinishReason(choice.finish_reason, 'finish_reason')
  }
  const delta = choice.delta as Record<string, unknown> | undefined
  const text = typeof delta?.content === 'string' ? delta.content : ''
  p.text += text
  return text
}
