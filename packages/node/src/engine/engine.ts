import { availableParallelism } from 'node:os'
import { stat } from 'node:fs/promises'
import {
  getLlama, LlamaChat, LlamaCompletion, resolveChatWrapper,
  type ChatHistoryItem, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel,
  type Token
} from 'node-llama-cpp'
import {
  createLogger, type AdvertModel, type ChatMessage, type Hardware, type SamplingParams
} from '@parallelix/protocol'
import { sha256File } from '../model/file-hash.ts'
import { ContextLengthExceededError, EngineClosedError, NoFreeSlotError } from './errors.ts'
import { countPromptTokens, hasChatTemplate, renderPlainPrompt } from './prompt.ts'

const log = createLogger('node:engine')

/** Longest wait for node-llama-cpp to hand back a sequence another request just released. */
const SEQUENCE_RELEASE_WAIT_MS = 500
/** Prompt tokens given as context when decoding the first chunk after a prefill. */
const SEAM_CONTEXT_TOKENS = 8

export type GpuChoice = 'auto' | false | 'cuda' | 'vulkan' | 'metal'

export interface EngineOptions {
  modelPath: string
  /** The id clients ask for; defaults to the file name without `.gguf`. */
  modelId: string
  gpu?: GpuChoice
  /** CPU threads for generation. Must be set explicitly on small machines. */
  threads: number
  /** Concurrent requests (context sequences). */
  slots: number
  /** Context size per sequence, in tokens. */
  contextSize?: number
}

export interface GenerateInput {
  messages: ChatMessage[]
  params: SamplingParams
  prefill?: string
}

export interface GenerateOptions {
  signal?: AbortSignal
  /** Called for each piece of text as it is produced, with the tokens it took. */
  onText?: (text: string, tokens: number) => void
}

export interface GenerateResult {
  text: string
  promptTokens: number
  completionTokens: number
  finishReason: 'stop' | 'length' | 'cancelled'
}

/**
 * One GGUF model loaded through node-llama-cpp, with a fixed number of slots. Each slot is
 * a context sequence; a request holds one for its whole generation.
 */
export class InferenceEngine {
  readonly model: AdvertModel
  private readonly llama: Llama
  private readonly llamaModel: LlamaModel
  private readonly context: LlamaContext
  private readonly threads: number
  private readonly slots: number
  private busy = 0
  private closed = false

  private constructor (
    llama: Llama, model: LlamaModel, context: LlamaContext, info: AdvertModel,
    threads: number, slots: number
  ) {
    this.llama = llama
    this.llamaModel = model
    this.context = context
    this.model = info
    this.threads = threads
    this.slots = slots
  }

  /** Loads the model and allocates its slots. */
  static async load (options: EngineOptions): Promise<InferenceEngine> {
    const [modelHash, file] = await Promise.all([
      sha256File(options.modelPath), stat(options.modelPath)
    ])
    const llama = await getLlama({ gpu: options.gpu ?? 'auto', build: 'never' })
    const model = await llama.loadModel({ modelPath: options.modelPath })
    const context = await model.createContext({
      sequences: options.slots,
      threads: options.threads,
      contextSize: options.contextSize ?? Math.min(model.trainContextSize, 4096)
    })

    const general = model.fileInfo.metadata.general as { architecture?: string, file_type?: number }
    const info: AdvertModel = {
      id: options.modelId,
      modelHash,
      contextSize: context.contextSize,
      sizeBytes: file.size,
      architecture: general.architecture
    }
    log.info({ model: info.id, modelHash, gpu: llama.gpu, threads: options.threads,
      slots: options.slots, contextSize: context.contextSize }, 'model loaded')
    return new InferenceEngine(llama, model, context, info, options.threads, options.slots)
  }

  get totalSlots (): number { return this.slots }
  get freeSlots (): number { return this.closed ? 0 : this.slots - this.busy }

  /** The hardware this engine runs on, as node-llama-cpp reports it. */
  async hardware (): Promise<Hardware> {
    const gpu = this.llama.gpu
    const devices = gpu === false ? [] : await this.llama.getGpuDeviceNames()
    const vram = gpu === false ? undefined : (await this.llama.getVramState()).total
    return {
      gpu: gpu === false ? 'cpu' : gpu,
      devices,
      cpuCores: availableParallelism(),
      threads: this.threads,
      ...(vram === undefined ? {} : { vramBytes: vram })
    }
  }

  /** Tokens the prompt of `input` takes, as this model counts them. */
  promptTokens (input: GenerateInput): number {
    if (hasChatTemplate(this.llamaModel)) {
      const wrapper = resolveChatWrapper(this.llamaModel)
      const { contextText } = wrapper.generateContextState({ chatHistory: toHistory(input) })
      return contextText.tokenize(this.llamaModel.tokenizer).length
    }
    return countPromptTokens(this.llamaModel, renderPlainPrompt(input.messages, input.prefill))
  }

  /** Runs one request on a free slot, streaming text through `onText`. */
  async generate (input: GenerateInput, options: GenerateOptions = {}): Promise<GenerateResult> {
    if (this.closed) throw new EngineClosedError()
    const promptTokens = this.promptTokens(input)
    if (promptTokens + input.params.maxTokens > this.context.contextSize) {
      throw new ContextLengthExceededError(
        promptTokens, input.params.maxTokens, this.context.contextSize
      )
    }
    if (this.busy >= this.slots) throw new NoFreeSlotError()

    this.busy++
    let sequence: LlamaContextSequence | undefined
    try {
      sequence = await this.takeSequence()
      return await this.run(sequence, input, promptTokens, options)
    } finally {
      sequence?.dispose()
      this.busy--
    }
  }

  private async run (
    sequence: LlamaContextSequence, input: GenerateInput, promptTokens: number,
    options: GenerateOptions
  ): Promise<GenerateResult> {
    const { params } = input
    let text = ''
    let completionTokens = 0
    let tokensInChunk = 0
    // A resumed request continues text it was prefilled with. node-llama-cpp decodes the
    // first generated tokens on their own, which drops a word-initial space; decode that
    // first chunk again with the prompt's last tokens as context.
    const plain = !hasChatTemplate(this.llamaModel)
    const prompt = plain ? renderPlainPrompt(input.messages, input.prefill) : ''
    let seamContext = plain && input.prefill !== undefined && input.prefill !== ''
      ? this.llamaModel.tokenize(prompt).slice(-SEAM_CONTEXT_TOKENS)
      : undefined
    let firstTokens: Token[] = []
    const common = {
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      topP: params.topP,
      seed: params.seed,
      customStopTriggers: params.stop.length > 0 ? params.stop : undefined,
      signal: options.signal,
      stopOnAbortSignal: true,
      onToken: (tokens: readonly Token[]) => {
        tokensInChunk += tokens.length
        if (seamContext !== undefined) firstTokens.push(...tokens)
      },
      onTextChunk: (raw: string) => {
        let chunk = raw
        if (seamContext !== undefined) {
          // Only when the chunk is exactly these tokens' text, or the seam would shift.
          if (this.llamaModel.detokenize(firstTokens) === raw) {
            chunk = this.llamaModel.detokenize(firstTokens, false, seamContext)
          }
          seamContext = undefined
          firstTokens = []
        }
        completionTokens += tokensInChunk
        text += chunk
        options.onText?.(chunk, tokensInChunk)
        tokensInChunk = 0
      }
    }

    let stopReason: string
    if (!plain) {
      const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false })
      try {
        const res = await chat.generateResponse(toHistory(input), common)
        stopReason = res.metadata.stopReason
      } finally {
        chat.dispose({ disposeSequence: false })
      }
    } else {
      const completion = new LlamaCompletion({ contextSequence: sequence })
      try {
        const res = await completion.generateCompletionWithMeta(prompt, common)
        stopReason = res.metadata.stopReason
      } finally {
        completion.dispose({ disposeSequence: false })
      }
    }

    const finishReason = stopReason === 'maxTokens'
      ? 'length'
      : stopReason === 'abort' ? 'cancelled' : 'stop'
    return { text, promptTokens, completionTokens, finishReason }
  }

  /**
   * A free context sequence. node-llama-cpp returns a disposed sequence to the context a
   * moment after `dispose()`, so a slot our count sees free may not be usable yet: wait a
   * little for it rather than fail the request.
   */
  private async takeSequence (): Promise<LlamaContextSequence> {
    const deadline = Date.now() + SEQUENCE_RELEASE_WAIT_MS
    while (this.context.sequencesLeft === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    return this.context.getSequence()
  }

  /** Measures generation speed on this hardware with a short greedy run. */
  async measureTokensPerSecond (tokens = 64): Promise<number> {
    const started = performance.now()
    const result = await this.generate({
      messages: [{ role: 'user', content: 'Once upon a time' }],
      params: { maxTokens: tokens, temperature: 0, topP: 1, stop: [] }
    })
    const seconds = (performance.now() - started) / 1000
    return result.completionTokens > 0 ? Math.round(result.completionTokens / seconds) : 0
  }

  /** Stops taking work and frees the model. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.context.dispose()
    await this.llamaModel.dispose()
  }
}

function toHistory (input: GenerateInput): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = input.messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content }
    if (m.role === 'user') return { type: 'user', text: m.content }
    return { type: 'model', response: [m.content] }
  })
  history.push({ type: 'model', response: input.prefill ? [input.prefill] : [] })
  return history
}
