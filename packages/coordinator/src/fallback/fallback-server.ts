import { availableParallelism } from 'node:os'
import {
  createLogger, hashOutput, hashPrompt, signReceipt,
  type FinalFrame, type InferRequest, type Receipt
} from '@parallelix/protocol'
import { EngineError, InferenceEngine, type GpuChoice } from '@parallelix/node'
import { NodeRequestError } from '../mesh/errors.ts'
import { SlotGate } from './slot-gate.ts'
import type { LocalAccount } from 'viem'
import type { InferOutcome } from '../mesh/infer-client.ts'

const log = createLogger('coordinator:fallback')

/** What segments and responses name as the node when the coordinator served itself. */
export const FALLBACK_NODE = 'fallback'

export interface FallbackModel {
  /** The id clients request. */
  id: string
  /** GGUF file on the coordinator's disk. */
  path: string
}

export interface FallbackConfig {
  models: FallbackModel[]
  /** CPU threads per model (default: cores - 1, at least 1). */
  threads?: number
  /** Concurrent requests per model (default 2). */
  slots?: number
  contextSize?: number
  gpu?: GpuChoice
}

export interface FallbackOptions {
  /** Signs the fallback's receipts; kept apart from any operator's key. */
  operator: LocalAccount
  /** Longest wait for a free fallback slot before a 429. */
  queueTimeoutMs?: number
  maxQueue?: number
}

interface LoadedModel {
  engine: InferenceEngine
  gate: SlotGate
}

/**
 * Serves requests on the coordinator's own hardware when no node can: the same
 * InferenceEngine the nodes run, loaded on first use, with receipts signed by the
 * coordinator's fallback key so that its work is accounted like any node's.
 */
export class FallbackServer {
  private readonly config: FallbackConfig
  private readonly options: FallbackOptions
  private readonly loaded = new Map<string, Promise<LoadedModel>>()
  private closed = false

  constructor (config: FallbackConfig, options: FallbackOptions) {
    this.config = config
    this.options = options
  }

  get operator (): string {
    return this.options.operator.address
  }

  /** Model ids configured for the fallback. */
  get models (): string[] {
    return this.config.models.map((m) => m.id)
  }

  /** Whether the fallback is configured for `model`. */
  serves (model: string): boolean {
    return !this.closed && this.config.models.some((m) => m.id === model)
  }

  /** Runs one request locally, streaming text through `onText`, and signs its receipt. */
  async generate (
    request: InferRequest,
    options: { signal?: AbortSignal, onText?: (text: string, tokens: number) => void } = {}
  ): Promise<InferOutcome> {
    const { engine, gate } = await this.load(request.model)
    if (request.modelHash !== undefined && request.modelHash !== engine.model.modelHash) {
      throw new NodeRequestError(`the fallback's ${request.model} is ${engine.model.modelHash}, ` +
        `not ${request.modelHash}`, 'model_not_found', false, true)
    }

    const release = await gate.acquire(options.signal)
    const startedAt = Date.now()
    let produced = 0
    try {
      const result = await engine.generate(request, {
        signal: options.signal,
        onText: (text, tokens) => {
          produced += tokens
          if (options.signal?.aborted !== true) options.onText?.(text, tokens)
        }
      })
      const receipt: Receipt = {
        requestId: request.requestId,
        model: engine.model.id,
        modelHash: engine.model.modelHash,
        promptHash: hashPrompt(request),
        outputHash: hashOutput(result.text),
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        node: FALLBACK_NODE,
        operator: this.options.operator.address,
        startedAt,
        finishedAt: Date.now()
      }
      const { hash, signature } = await signReceipt(receipt, this.options.operator)
      const final: FinalFrame = {
        type: 'final',
        finishReason: result.finishReason,
        usage: { promptTokens: result.promptTokens, completionTokens: result.completionTokens },
        receipt,
        hash,
        signature
      }
      log.debug({ requestId: request.requestId, tokens: result.completionTokens }, 'served')
      return { text: result.text, countedTokens: result.completionTokens, final }
    } catch (err) {
      if (err instanceof EngineError) {
        throw new NodeRequestError(`fallback: ${err.message}`, err.code, err.retryable,
          produced === 0, { cause: err })
      }
      throw err
    } finally {
      release()
    }
  }

  /** Frees every loaded model. */
  async close (): Promise<void> {
    this.closed = true
    const models = [...this.loaded.values()]
    this.loaded.clear()
    await Promise.all(models.map(async (m) => {
      const { engine } = await m.catch(() => ({ engine: undefined }))
      await engine?.close()
    }))
  }

  private async load (model: string): Promise<LoadedModel> {
    const spec = this.config.models.find((m) => m.id === model)
    if (spec === undefined || this.closed) {
      throw new NodeRequestError(`the fallback does not serve ${model}`, 'model_not_found',
        false, true)
    }
    let loading = this.loaded.get(model)
    if (loading === undefined) {
      // Loaded on first use: a coordinator whose nodes never fail pays no memory for it.
      loading = this.loadModel(spec)
      this.loaded.set(model, loading)
      loading.catch(() => this.loaded.delete(model))
    }
    return loading
  }

  private async loadModel (spec: FallbackModel): Promise<LoadedModel> {
    const slots = this.config.slots ?? 2
    const engine = await InferenceEngine.load({
      modelPath: spec.path,
      modelId: spec.id,
      threads: this.config.threads ?? Math.max(1, availableParallelism() - 1),
      slots,
      contextSize: this.config.contextSize,
      gpu: this.config.gpu
    })
    log.info({ model: spec.id, modelHash: engine.model.modelHash, slots }, 'fallback model ready')
    const gate = new SlotGate(slots, {
      maxQueue: this.options.maxQueue ?? 64,
      timeoutMs: this.options.queueTimeoutMs ?? 30_000
    })
    return { engine, gate }
  }

  /** Slots per configured model, for sizing batch concurrency. */
  get slotsPerModel (): number {
    return this.config.slots ?? 2
  }
}
