/** Base of every error the SDK throws; `code` is stable and safe to branch on. */
export class ParalleliXError extends Error {
  static override readonly name: string = 'ParalleliXError'
  readonly code: string

  constructor (message: string, code: string, options?: ErrorOptions) {
    super(message, options)
    this.name = (this.constructor as typeof ParalleliXError).name
    this.code = code
  }
}

export interface ApiErrorInit {
  /** HTTP status, or null for an error reported inside an already open stream. */
  status: number | null
  message: string
  type: string
  code: string | null
  param?: string | null
  retryAfterMs?: number
  requestId?: string
}

/** An error the API answered with, carrying its OpenAI-style `type`, `code` and `param`. */
export class ApiError extends ParalleliXError {
  static override readonly name: string = 'ApiError'
  readonly status: number | null
  readonly type: string
  readonly param: string | null
  /** The wait the server asked for before a retry, from Retry-After. */
  readonly retryAfterMs: number | undefined
  readonly requestId: string | undefined

  constructor (init: ApiErrorInit) {
    super(init.message, init.code ?? init.type)
    this.status = init.status
    this.type = init.type
    this.param = init.param ?? null
    this.retryAfterMs = init.retryAfterMs
    this.requestId = init.requestId
  }
}

/** 400: the request is malformed or names a parameter value the API refuses. */
export class BadRequestError extends ApiError {
  static override readonly name = 'BadRequestError'
}

/** 401: the API key is missing, malformed or revoked. */
export class AuthenticationError extends ApiError {
  static override readonly name = 'AuthenticationError'
}

/** 403: the key is valid but may not do this. */
export class PermissionDeniedError extends ApiError {
  static override readonly name = 'PermissionDeniedError'
}

/** 404: an unknown model, batch, receipt or route (`code` tells which). */
export class NotFoundError extends ApiError {
  static override readonly name = 'NotFoundError'
}

/** 429: too many requests or no free capacity now; retried automatically. */
export class RateLimitError extends ApiError {
  static override readonly name = 'RateLimitError'
}

/** The account's balance or spending authorization cannot cover the request. */
export class InsufficientQuotaError extends ApiError {
  static override readonly name = 'InsufficientQuotaError'
}

/** 5xx: the coordinator or the node serving the request failed; retried automatically. */
export class ServerError extends ApiError {
  static override readonly name = 'ServerError'
}

/** The API could not be reached, or the connection broke before a complete answer. */
export class ConnectionError extends ParalleliXError {
  static override readonly name: string = 'ConnectionError'

  constructor (message: string, options?: ErrorOptions, code = 'connection_error') {
    super(message, code, options)
  }
}

/** An attempt outlived `timeoutMs`. */
export class TimeoutError extends ConnectionError {
  static override readonly name = 'TimeoutError'

  constructor (timeoutMs: number) {
    super(`The request timed out after ${timeoutMs} ms`, undefined, 'timeout')
  }
}

/** The caller's AbortSignal fired; `cause` holds the signal's reason. */
export class AbortError extends ParalleliXError {
  static override readonly name = 'AbortError'

  constructor (message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, 'aborted', options)
  }
}

/** The API answered with something that does not match its documented shape. */
export class InvalidResponseError extends ParalleliXError {
  static override readonly name = 'InvalidResponseError'

  constructor (message: string, options?: ErrorOptions) {
    super(message, 'invalid_response', options)
  }
}

/** Why a receipt failed verification; each value is also the error's `code`. */
export type ReceiptFailure =
  | 'receipt_hash_mismatch'
  | 'receipt_signer_mismatch'
  | 'receipt_proof_invalid'
  | 'receipt_root_not_onchain'
  | 'receipt_root_mismatch'

/** A receipt whose hash, signature, Merkle proof or on-chain root does not check out. */
export class ReceiptVerificationError extends ParalleliXError {
  static override readonly name = 'ReceiptVerificationError'

  constructor (code: ReceiptFailure, message: string) {
    super(message, code)
  }
}

/** An argument the SDK refuses before sending anything (a negative budget, zero concurrency). */
export class InvalidArgumentError extends ParalleliXError {
  static override readonly name = 'InvalidArgumentError'

  constructor (message: string) {
    super(message, 'invalid_argument')
  }
}
