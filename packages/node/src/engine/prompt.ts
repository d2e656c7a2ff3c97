import { LlamaVocabularyType, type LlamaModel } from 'node-llama-cpp'
import type { ChatMessage } from '@parallelix/protocol'

/** True when the model's file carries a chat template, so chat turns need formatting. */
export function hasChatTemplate (model: LlamaModel): boolean {
  const tokenizer = model.fileInfo.metadata.tokenizer as { chat_template?: unknown } | undefined
  return typeof tokenizer?.chat_template === 'string'
}

/**
 * The text a completion-only model (no chat template) continues: the message contents in
 * order, separated by blank lines, followed by any prefilled text. Storytelling and base
 * models are used this way; the same function serves nodes, the fallback and tests.
 */
export function renderPlainPrompt (messages: ChatMessage[], prefill = ''): string {
  return messages.map((m) => m.content).join('\n\n') + prefill
}

/** Number of tokens the model evaluates for `text`, counting the BOS token it prepends. */
export function countPromptTokens (model: LlamaModel, text: string): number {
  const bos = prependsBos(model)
  return model.tokenize(text, false, bos ? 'trimLeadingSpace' : undefined).length + (bos ? 1 : 0)
}

function prependsBos (model: LlamaModel): boolean {
  if (model.vocabularyType === LlamaVocabularyType.wpm) return model.tokens.bos != null
  if (model.vocabularyType === LlamaVocabularyType.rwkv) return false
  if (model.vocabularyType === LlamaVocabularyType.ugm) return false
  return model.tokens.shouldPrependBosToken && model.tokens.bos != null
}
