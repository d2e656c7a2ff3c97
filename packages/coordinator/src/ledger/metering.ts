import type { ChatMessage } from '@parallelix/protocol'

/** Default price when neither the model nor the config names one: 10^12 units (1e-6 PRLX). */
export const DEFAULT_RATE = 1_000_000_000_000n

/**
 * Prompt tokens a request may take beyond its text. Every token covers at least one byte of
 * the rendered prompt, so the bound is the bytes plus what a chat template adds: role
 * markers per message and a fixed preamble (BOS, default system text).
 */
export const PROMPT_TOKENS_PER_MESSAGE = 16
export const PROMPT_TOKENS_FIXED = 64

export interface RateConfig {
  /** Base units of PRLX per token (prompt or completion), by model id. */
  rates?: Record<string, bigint>
  /** Rate of models without their own; DEFAULT_RATE when absent. */
  defaultRate?: bigint
}

/** What requests cost: rate × (prompt + completion tokens), in bigint base units. */
export class Metering {
  private readonly rates: Map<string, bigint>
  private readonly defaultRate: bigint

  constructor (config: RateConfig = {}) {
    this.rates = new Map(Object.entries(config.rates ?? {}))
    this.defaultRate = config.defaultRate ?? DEFAULT_RATE
    for (const [model, rate] of [...this.rates, ['default', this.defaultRate] as const]) {
      if (rate < 0n) throw new RangeError(`the rate of ${model} is negative`)
    }
  }

  rate (model: string): bigint {
    return this.rates.get(model) ?? this.defaultRate
  }

  cost (model: string, promptTokens: number, completionTokens: number): bigint {
    return this.rate(model) * BigInt(promptTokens + completionTokens)
  }

  /** The most a request can cost: its max_tokens plus an upper bound of its prompt tokens. */
  maxCost (model: string, messages: ChatMessage[], maxTokens: number, prefill = ''): bigint {
    return this.cost(model, promptTokenBound(messages, prefill), maxTokens)
  }
}

/** An upper bound of the tokens a prompt evaluates to, for any tokenizer and template. */
export function promptTokenBound (messages: ChatMessage[], prefill = ''): number {
  let bytes = Buffer.byteLength(prefill, 'utf8')
  for (const m of messages) {
    bytes += Buffer.byteLength(m.content, 'utf8') + Buffer.byteLength(m.role, 'utf8')
  }
  return bytes + PROMPT_TOKENS_PER_MESSAGE * messages.length + PROMPT_TOKENS_FIXED
}
