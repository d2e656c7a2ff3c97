import type { FastifyInstance, FastifyRequest } from 'fastify'
import { InvalidApiKeyError, SessionRequiredError } from './errors.ts'
import { API_KEY_PREFIX, isSecret, SESSION_PREFIX } from './tokens.ts'
import type { ApiKeyStore } from './api-keys.ts'
import type { SessionStore } from './sessions.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's account (lowercase address); null on public routes or with auth off. */
    owner: string | null
    /** The API key the caller used; null for a session, a public route or auth off. */
    apiKeyId: string | null
    /** The sign-in session the caller used; null for an API key. */
    sessionId: string | null
  }
}

/** Routes anyone may call: the model list, health and the sign-in flow. */
const PUBLIC_ROUTES = new Set([
  'GET /v1/models', 'HEAD /v1/models', 'GET /health', 'HEAD /health',
  'GET /v1/auth/nonce', 'POST /v1/auth/siwe'
])

/**
 * Route prefixes anyone may call: Merkle proofs by receipt hash (hashes reveal nothing of a
 * request) and operators' earnings (public on chain anyway), so operators need no account.
 */
const PUBLIC_PREFIXES = ['GET /v1/proofs/', 'GET /v1/operators/']

const MISSING = "You didn't provide an API key. You need to provide your API key in an " +
  'Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).'

/** Declares request.owner, apiKeyId and sessionId; call once on the root instance. */
export function decorateOwner (app: FastifyInstance): void {
  app.decorateRequest('owner', null)
  app.decorateRequest('apiKeyId', null)
  app.decorateRequest('sessionId', null)
}

/**
 * An onRequest hook: every /v1 route but the public ones needs `Authorization: Bearer`
 * with a live API key (pk_live_…) or sign-in session (ps_…), and gets the account it
 * belongs to as `request.owner`.
 */
export function bearerAuth (stores: { keys: ApiKeyStore, sessions: SessionStore }) {
  return async (request: FastifyRequest): Promise<void> => {
    const path = request.url.split('?', 1)[0]!
    const route = `${request.method} ${path}`
    if (!path.startsWith('/v1/') || PUBLIC_ROUTES.has(route) ||
      PUBLIC_PREFIXES.some((prefix) => route.startsWith(prefix))) {
      return
    }

    const header = request.headers.authorization
    if (header === undefined || header.trim() === '') {
      throw new InvalidApiKeyError('missing', MISSING)
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const token = match?.[1]
    if (token === undefined) throw new InvalidApiKeyError('malformed', MISSING)

    if (isSecret(token, API_KEY_PREFIX)) {
      const key = stores.keys.resolve(token)
      if (key === undefined) throw new InvalidApiKeyError('unknown', incorrect(token))
      if (key.revokedAt !== null) {
        throw new InvalidApiKeyError('revoked', `The API key ${key.redacted} has been revoked`)
      }
      request.owner = key.account
      request.apiKeyId = key.id
      return
    }
    if (isSecret(token, SESSION_PREFIX)) {
      const session = stores.sessions.resolve(token)
      if (session === undefined) throw new InvalidApiKeyError('unknown', incorrect(token))
      if (session.expiresAt <= Date.now()) {
        throw new InvalidApiKeyError('session_expired', 'Your session has expired: sign in again')
      }
      request.owner = session.account
      request.sessionId = session.id
      return
    }
    throw new InvalidApiKeyError('malformed', incorrect(token))
  }
}

/** Throws unless the request was made with a sign-in session rather than an API key. */
export function requireSession (request: FastifyRequest): string {
  if (request.owner === null || request.sessionId === null) {
    throw new SessionRequiredError('This endpoint needs a sign-in session (Bearer ps_…), ' +
      'not an API key')
  }
  return request.owner
}

function incorrect (token: string): string {
  const shown = token.length > 12 ? `${token.slice(0, 8)}…${token.slice(-4)}` : '…'
  return `Incorrect API key provided: ${shown}.`
}
