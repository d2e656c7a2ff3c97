import {
  cancelBatch, createBatch, getBatch, type Batch, type BatchRequest
} from './batch.ts'
import { chatBody, parseChatCompletion, type ChatRequest, type ChatResult } from './chat.ts'
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './constants.ts'
import { InvalidArgumentError } from './errors.ts'
import {
  parallelMap, type ParallelMapOptions, type ParallelMapResult, type PromptOf
} from './parallel-map.ts'
import { parseModels, parseNodes, type Model, type PoolNode } from './pool.ts'
import {
  fetchReceipt, verifyReceipt, type OnchainRoots, type ReceiptRecord, type ReceiptVerification
} from './receipt.ts'
import { ChatStream } from './stream.ts'
import { Transport, type RequestOptions } from './transport.ts'
import { parseUsageReport, type UsageReport } from './usage.ts'
import { waitBatch, type WaitBatchOptions } from './wait-batch.ts'

export interface ParalleliXOptions {
  /** API root including the version, e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string
  /** A `pk_live_…` key, sent as `Authorization: Bearer`. */
  apiKey?: string
  /** A fetch implementation; the global one by default. */
  fetch?: typeof globalThis.fetch
  /** Retries of a request that failed with 408, 409, 429, 5xx or a network error. */
  maxRetries?: number
  /** Limit of each attempt, in milliseconds. */
  timeoutMs?: number
}

export interface ReceiptOptions extends RequestOptions {
  /** Check the PoE signature and, once batched, the Merkle proof; throws if either fails. */
  verify?: boolean
  /** Also compare the batch root with the settlement contract's (needs `verify`). */
  onchain?: OnchainRoots
}

export interface ReceiptResult extends ReceiptRecord {
  /** Present when `verify` was set. */
  verification?: ReceiptVerification
}

/** A client of the ParalleliX API, for Node and browsers alike (it needs only fetch). */
export class ParalleliX {
  readonly baseUrl: string
  readonly #transport: Transport

  constructor (options: ParalleliXOptions) {
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\//.test(options.baseUrl)) {
      throw new InvalidArgumentError('baseUrl must be an http(s) URL such as http://host:8080/v1')
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    const fetchFn = options.fetch ?? (async (input, init) => await globalThis.fetch(input, init))
    this.#transport = new Transport({
      baseUrl: this.baseUrl,
      fetch: fetchFn,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey })
    })
  }

  /** One chat completion. */
  async chat (request: ChatRequest, options: RequestOptions = {}): Promise<ChatResult> {
    const body = await this.#transport.json('POST', '/chat/completions',
      chatBody(request, false), options)
    return parseChatCompletion(body)
  }

  /** A streamed chat completion: iterate it for text, then read `final` or await `done`. */
  stream (request: ChatRequest, options: RequestOptions = {}): ChatStream {
    return new ChatStream(async () => await this.#transport.open('POST', '/chat/completions',
      chatBody(request, true), options), options.signal)
  }

  /** Submits a batch; answers at once (202) with its id and counts. */
  async batch (request: BatchRequest, options: RequestOptions = {}): Promise<Batch> {
    return await createBatch(this.#transport, request, options)
  }

  /** A batch's status, counts and items so far. */
  async getBatch (id: string, options: RequestOptions = {}): Promise<Batch> {
    return await getBatch(this.#transport, id, options)
  }

  /** Cancels a batch's items that have not started. */
  async cancelBatch (id: string, options: RequestOptions = {}): Promise<Batch> {
    return await cancelBatch(this.#transport, id, options)
  }

  /** Polls a batch until it is done, reporting each state to `onProgress`. */
  async waitBatch (id: string, options: WaitBatchOptions = {}): Promise<Batch> {
    return await waitBatch(this.#transport, id, options)
  }

  /** Runs `toPrompt(item)` for every item across the network; results keep input order. */
  async parallelMap<T> (items: readonly T[], toPrompt: PromptOf<T>,
    options: ParallelMapOptions): Promise<ParallelMapResult<T>> {
    return await parallelMap(this.#transport, items, toPrompt, options)
  }

  /** The models the live pool serves. */
  async models (options: RequestOptions = {}): Promise<Model[]> {
    return parseModels(await this.#transport.json('GET', '/models', undefined, options))
  }

  /** The operator nodes in the pool. */
  async nodes (options: RequestOptions = {}): Promise<PoolNode[]> {
    return parseNodes(await this.#transport.json('GET', '/nodes', undefined, options))
  }

  /** The account's usage totals and balance. */
  async usage (options: RequestOptions = {}): Promise<UsageReport> {
    return parseUsageReport(await this.#transport.json('GET', '/usage', undefined, options))
  }

  /** A completion's receipt, PoE and settlement proof; verified with `{ verify: true }`. */
  async receipt (requestId: string, options: ReceiptOptions = {}): Promise<ReceiptResult> {
    const record = await fetchReceipt(this.#transport, requestId, options)
    if (options.verify !== true) return record
    const verification = await verifyReceipt(record, {
      ...(options.onchain === undefined ? {} : { onchain: options.onchain }),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    return { ...record, verification }
  }
}
