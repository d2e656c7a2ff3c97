export { startNode } from './daemon.ts'
export type { NodeConfig, RunningNode } from './daemon.ts'
export { InferenceEngine } from './engine/engine.ts'
export type {
  EngineOptions, GenerateInput, GenerateOptions, GenerateResult, GpuChoice
} from './engine/engine.ts'
export {
  ContextLengthExceededError, EngineClosedError, EngineError, NoFreeSlotError
} from './engine/errors.ts'
export { countPromptTokens, hasChatTemplate, renderPlainPrompt } from './engine/prompt.ts'
export { loadOrCreateOperatorKey, InvalidOperatorKeyError } from './keys.ts'
export { sha256File } from './model/file-hash.ts'
export { buildTinyGguf, ensureTinyModel } from './model/tiny-gguf.ts'
export { serveInferStream } from './serve.ts'
export type { ServeContext } from './serve.ts'
