import {
  ApiError, AuthenticationError, BadRequestError, InsufficientQuotaError, NotFoundError,
  PermissionDeniedError, RateLimitError, ServerError, type ApiErrorInit
} from './errors.ts'

type ApiErrorClass = new (init: ApiErrorInit) => ApiError

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  402: InsufficientQuotaError,
  403: PermissionDeniedError,
  404: NotFoundError,
  429: RateLimitError
}

// A stream that already answered 200 reports failures by type alone.
const BY_TYPE: Record<string, ApiErrorClass> = {
  invalid_request_error: BadRequestError,
  authentication_error: AuthenticationError,
  permission_error: PermissionDeniedError,
  not_found_error: NotFoundError,
  rate_limit_error: RateLimitError,
  insufficient_quota: InsufficientQuotaError,
  server_error: ServerError,
  service_unavailable: ServerError
}

function errorClass (status: number | null, type: string, code: string | null): ApiErrorClass {
  if (code === 'insufficient_quota' || code === 'insufficient_balance') {
    return InsufficientQuotaError
  }
  if (code === 'model_not_found') return NotFoundError
  if (status !== null) return BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError)
  return BY_TYPE[type] ?? ApiError
}

function field (value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/**
 * Builds the typed error for an API error body `{ error: { message, type, code, param } }`,
 * choosing the class by status (or by type for in-band stream errors) and by code.
 */
export function apiErrorFrom (
  status: number | null, body: unknown, extra: { retryAfterMs?: number, requestId?: string } = {}
): ApiError {
  const error = typeof body === 'object' && body !== null && 'error' in body
    ? (body as { error: unknown }).error
    : undefined
  const e = typeof error === 'object' && error !== null ? error as Record<string, unknown> : {}
  const type = field(e.type) ?? (status !== null && status >= 500 ? 'server_error' : 'api_error')
  const code = field(e.code)
  const message = field(e.message) ??
    (typeof error === 'string' ? error : `The API answered with status ${status ?? 'error'}`)

  const Class = errorClass(status, type, code)
  return new Class({ status, message, type, code, param: field(e.param), ...extra })
}
