/** No node in the pool serves the model, and none has recently. */
export class ModelNotFoundError extends Error {
  static override readonly name = 'ModelNotFoundError'
  override readonly name = 'ModelNotFoundError'
  readonly code = 'model_not_found'

  constructor (readonly model: string) {
    super(`The model '${model}' does not exist or no node serves it`)
  }
}

/** Nodes serve the model, but none can take this request now (all gone, or none fits). */
export class NoCapableNodeError extends Error {
  static override readonly name = 'NoCapableNodeError'
  override readonly name = 'NoCapableNodeError'
  readonly code = 'no_capable_node'
}

/** Every capable node stayed busy for the whole queue wait, or the queue is full. */
export class CapacityExhaustedError extends Error {
  static override readonly name = 'CapacityExhaustedError'
  override readonly name = 'CapacityExhaustedError'
  readonly code = 'capacity_exhausted'

  constructor (message: string, readonly retryAfterSeconds: number) {
    super(message)
  }
}
