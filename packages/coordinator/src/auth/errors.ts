/** Why a bearer token was refused; all answer 401 invalid_api_key. */
export type BearerRejection = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'session_expired'

/** The request carries no valid API key or session token. */
export class InvalidApiKeyError extends Error {
  static override readonly name = 'InvalidApiKeyError'
  override readonly name = 'InvalidApiKeyError'
  readonly code = 'invalid_api_key'

  constructor (readonly reason: BearerRejection, message: string) {
    super(message)
  }
}

export type SignInRejection =
  | 'invalid_message' | 'invalid_domain' | 'invalid_chain' | 'message_expired'
  | 'invalid_nonce' | 'invalid_signature'

/** A Sign-In with Ethereum attempt was refused. */
export class SignInError extends Error {
  static override readonly name = 'SignInError'
  override readonly name = 'SignInError'

  constructor (readonly code: SignInRejection, message: string) {
    super(message)
  }
}

/** A spending authorization failed verification: wrong signer, coordinator, nonce, expiry. */
export class SpendingAuthorizationError extends Error {
  static override readonly name = 'SpendingAuthorizationError'
  override readonly name = 'SpendingAuthorizationError'
  readonly code = 'invalid_spending_authorization'
}

/** The route needs a sign-in session (ps_…); an API key is not enough. */
export class SessionRequiredError extends Error {
  static override readonly name = 'SessionRequiredError'
  override readonly name = 'SessionRequiredError'
  readonly code = 'session_required'
}

/** No API key with this id belongs to the caller's account. */
export class ApiKeyNotFoundError extends Error {
  static override readonly name = 'ApiKeyNotFoundError'
  override readonly name = 'ApiKeyNotFoundError'
  readonly code = 'api_key_not_found'
}
