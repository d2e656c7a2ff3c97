/** Base class of engine failures; `code` travels to the client in an error frame. */
export class EngineError extends Error {
  static override readonly name: string = 'EngineError'
  readonly code: string
  readonly retryable: boolean

  constructor (message: string, code: string, retryable: boolean) {
    super(message)
    this.name = (this.constructor as typeof EngineError).name
    this.code = code
    this.retryable = retryable
  }
}

/** Every slot (context sequence) is busy. */
export class NoFreeSlotError extends EngineError {
  static override readonly name = 'NoFreeSlotError'

  constructor () {
    super('every slot on this node is busy', 'node_busy', true)
  }
}

/** The prompt plus the requested completion does not fit the context. */
export class ContextLengthExceededError extends EngineError {
  static override readonly name = 'ContextLengthExceededError'

  constructor (promptTokens: number, maxTokens: number, contextSize: number) {
    super(
      `prompt of ${promptTokens} tokens plus max_tokens ${maxTokens} exceeds the context ` +
      `size of ${contextSize} tokens`,
      'context_length_exceeded', false
    )
  }
}

/** The engine is shutting down and takes no new work. */
export class EngineClosedError extends EngineError {
  static override readonly name = 'EngineClosedError'

  constructor () {
    super('the inference engine is closed', 'node_closing', true)
  }
}
