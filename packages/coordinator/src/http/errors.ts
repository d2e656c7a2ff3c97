import {
  ModelNotFoundError, NoCapableNodeError, CapacityExhaustedError
} from '../scheduler/errors.ts'
import { NodeRequestError } from '../mesh/errors.ts'
import { ReceiptRejectedError } from '../poe/verify-receipt.ts'
import {
  ApiKeyNotFoundError, InvalidApiKeyError, SessionRequiredError, SignInError,
  SpendingAuthorizationError
} from '../auth/errors.ts'
import { InsufficientCreditError, WithdrawalRefusedError } from '../ledger/errors.ts'

/** An error with the status and OpenAI-style body the HTTP API answers with. */
export class ApiError extends Error {
  static override readonly name: string = 'ApiError'
  override readonly name: string = 'ApiError'

  constructor (
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

/** Body shape of every error the API returns, as OpenAI's clients expect. */
export interface OpenAIErrorBody {
  error: { message: string, type: string, code: string | null, param: string | null }
}

export function invalidRequest (message: string, param: string | null = null,
  code = 'invalid_value'): ApiError {
  return new ApiError(400, message, 'invalid_request_error', code, param)
}

/** Maps any error to a status and OpenAI-style body; unknown errors become a 500. */
/** Our names for the body errors Fastify raises before a route runs. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large'
}

export function toApiError (err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const account = accountError(err)
  if (account !== undefined) return account
  if (err instanceof ModelNotFoundError) {
    return new ApiError(404, err.message, 'invalid_request_error', 'model_not_found', 'model')
  }
  if (err instanceof NoCapableNodeError) {
    return new ApiError(503, err.message, 'service_unavailable', 'no_capable_node')
  }
  if (err instanceof CapacityExhaustedError) {
    return new ApiError(429, err.message, 'rate_limit_error', 'capacity_exhausted', null,
      { 'retry-after': String(err.retryAfterSeconds) })
  }
  if (err instanceof NodeRequestError) {
    if (err.code === 'context_length_exceeded') {
      return new ApiError(400, err.message, 'invalid_request_error', err.code, 'messages')
    }
    return new ApiError(502, `The node serving this request failed: ${err.message}`,
      'server_error', err.code)
  }
  if (err instanceof ReceiptRejectedError) {
    return new ApiError(502, `The node's proof of execution was refused: ${err.message}`,
      'server_error', `receipt_${err.reason}`)
  }
  const fastifyErr = err as { statusCode?: number, code?: string, message?: string }
  if (typeof fastifyErr.statusCode === 'number' && fastifyErr.statusCode < 500) {
    const status = fastifyErr.statusCode
    const message = status === 413
      ? 'The request body is too large'
      : `Invalid request: ${fastifyErr.message ?? 'malformed'}`
    const code = fastifyErr.code === undefined ? null : FASTIFY_CODES[fastifyErr.code] ?? null
    return new ApiError(status, message, 'invalid_request_error', code)
  }
  return new ApiError(500, 'The coordinator failed to handle the request', 'server_error', null)
}

/** Errors of sign-in, keys and credit, in OpenAI's shapes where OpenAI has one. */
function accountError (err: unknown): ApiError | undefined {
  if (err instanceof InvalidApiKeyError) {
    return new ApiError(401, err.message, 'invalid_request_error', err.code)
  }
  if (err instanceof SignInError) {
    return new ApiError(401, err.message, 'invalid_request_error', err.code, 'message')
  }
  if (err instanceof SpendingAuthorizationError) {
    return new ApiError(400, err.message, 'invalid_request_error', err.code, 'authorization')
  }
  if (err instanceof SessionRequiredError) {
    return new ApiError(403, err.message, 'invalid_request_error', err.code)
  }
  if (err instanceof ApiKeyNotFoundError) {
    return new ApiError(404, err.message, 'invalid_request_error', err.code, 'id')
  }
  if (err instanceof InsufficientCreditError) {
    return new ApiError(402, err.message, 'insufficient_quota', err.code)
  }
  if (err instanceof WithdrawalRefusedError) {
    return new ApiError(409, err.message, 'invalid_request_error', err.code, 'amount')
  }
  return undefined
}

export function errorBody (err: ApiError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, code: err.code, param: err.param } }
}
