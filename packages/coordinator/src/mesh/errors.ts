/** A node answered with an error frame, or the stream to it failed. */
export class NodeRequestError extends Error {
  static override readonly name = 'NodeRequestError'
  override readonly name = 'NodeRequestError'
  readonly code: string
  readonly retryable: boolean
  /** True when the node never produced a token, so another node may take the request. */
  readonly beforeFirstToken: boolean

  constructor (
    message: string, code: string, retryable: boolean, beforeFirstToken: boolean,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.code = code
    this.retryable = retryable
    this.beforeFirstToken = beforeFirstToken
  }
}
