import { apiErrorFrom } from './api-error.ts'
import {
  ApiError, ConnectionError, InvalidResponseError, ParalleliXError, TimeoutError
} from './errors.ts'
import { isRetryable, parseRetryAfter, retryDelay } from './retry.ts'
import { abortErrorOf, linkSignals, sleep, throwIfAborted } from './signal.ts'

export interface TransportConfig {
  /** API root including the version, e.g. `https://api.example/v1`; no trailing slash. */
  baseUrl: string
  apiKey?: string
  fetch: typeof globalThis.fetch
  maxRetries: number
  timeoutMs: number
}

/** Per-call options every network method accepts. */
export interface RequestOptions {
  signal?: AbortSignal
  /** Overrides the client's maxRetries for this call. */
  maxRetries?: number
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number
}

/** An open streaming response; `dispose` detaches the caller's signal once it is consumed. */
export interface OpenResponse {
  response: Response
  dispose: () => void
}

type Method = 'GET' | 'POST'

/** Sends requests to the API with auth, per-attempt timeouts, typed errors and retries. */
export class Transport {
  constructor (private readonly config: TransportConfig) {}

  /** Sends a request and parses the JSON answer; retried while the failure is transient. */
  async json<T> (method: Method, path: string, body?: unknown,
    options: RequestOptions = {}): Promise<T> {
    return await this.withRetries(options, async () => {
      const { text } = await this.attempt(method, path, body, options, true)
      try {
        return JSON.parse(text ?? '') as T
      } catch (err) {
        throw new InvalidResponseError(`${method} ${path} answered with invalid JSON`,
          { cause: err })
      }
    })
  }

  /** Opens a streaming request: retried until the response headers arrive, never after. */
  async open (method: Method, path: string, body: unknown,
    options: RequestOptions = {}): Promise<OpenResponse> {
    return await this.withRetries(options, async () => {
      const { response, dispose } = await this.attempt(method, path, body, options, false)
      return { response, dispose }
    })
  }

  private async withRetries<T> (options: RequestOptions, run: () => Promise<T>): Promise<T> {
    const maxRetries = options.maxRetries ?? this.config.maxRetries
    for (let retry = 0; ; retry++) {
      throwIfAborted(options.signal)
      try {
        return await run()
      } catch (err) {
        if (retry >= maxRetries || !isRetryable(err)) throw err
        const after = err instanceof ApiError ? err.retryAfterMs : undefined
        await sleep(retryDelay(retry, after), options.signal)
      }
    }
  }

  private async attempt (method: Method, path: string, body: unknown, options: RequestOptions,
    readBody: boolean): Promise<OpenResponse & { text: string | undefined }> {
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), timeoutMs)
    const linked = linkSignals(options.signal, timeout.signal)
    const url = `${this.config.baseUrl}${path}`

    try {
      const response = await this.config.fetch(url, {
        method,
        headers: this.headers(body !== undefined, readBody),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: linked.signal
      })
      if (!response.ok) throw await errorOf(response)
      // A JSON body is read inside the timeout; a stream only waits for its headers.
      const text = readBody ? await response.text() : undefined
      if (readBody) linked.dispose()
      return { response, text, dispose: linked.dispose }
    } catch (err) {
      linked.dispose()
      if (err instanceof ParalleliXError) throw err
      if (options.signal?.aborted === true) throw abortErrorOf(options.signal)
      if (timeout.signal.aborted) throw new TimeoutError(timeoutMs)
      const reason = err instanceof Error ? err.message : String(err)
      throw new ConnectionError(`Could not reach ${method} ${url}: ${reason}`, { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }

  private headers (hasBody: boolean, json: boolean): Record<string, string> {
    return {
      accept: json ? 'application/json' : 'text/event-stream',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(this.config.apiKey === undefined ? {} : { authorization: `Bearer ${this.config.apiKey}` })
    }
  }
}

async function errorOf (response: Response): Promise<ApiError> {
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  const requestId = response.headers.get('x-request-id') ?? undefined
  return apiErrorFrom(response.status, body, {
    ...(requestId === undefined ? {} : { requestId }),
    ...withRetryAfter(parseRetryAfter(response.headers))
  })
}

function withRetryAfter (ms: number | undefined): { retryAfterMs?: number } {
  return ms === undefined ? {} : { retryAfterMs: ms }
}
