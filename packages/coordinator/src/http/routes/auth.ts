import { z } from 'zod'
import { requireSession } from '../../auth/hook.ts'
import { decimal, uint256Schema } from '../../ledger/amount.ts'
import { parseBody } from './body.ts'
import type { FastifyInstance } from 'fastify'
import type { Address, Hex } from 'viem'
import type { Accounts } from '../../auth/accounts.ts'
import type { StoredAuthorization } from '../../ledger/spending-authorizations.ts'

const signature = z.string().regex(/^0x[0-9a-fA-F]{130,}$/, 'expected a hex signature')
  .max(4096).transform((s) => s as Hex)

const authorizationSchema = z.object({
  cap: uint256Schema,
  expiry: uint256Schema,
  nonce: uint256Schema,
  signature
})

const signInSchema = z.object({
  message: z.string().min(1).max(4096),
  signature,
  authorization: authorizationSchema.optional()
})

/** A spending authorization as the API shows it; amounts as decimal strings. */
export function authorizationView (auth: StoredAuthorization | undefined) {
  if (auth === undefined) return null
  return {
    coordinator: auth.coordinator,
    cap: decimal(auth.cap),
    expiry: decimal(auth.expiry),
    nonce: decimal(auth.nonce)
  }
}

/**
 * Sign-In with Ethereum: GET /v1/auth/nonce, POST /v1/auth/siwe (opens a session, and
 * takes the spending authorization), POST /v1/auth/authorization (a new one, by session).
 */
export async function authRoutes (app: FastifyInstance, opts: { accounts: Accounts }) {
  const { accounts } = opts

  app.get('/v1/auth/nonce', async () => {
    const { nonce, expiresAt } = accounts.nonces.issue()
    return {
      nonce,
      expires_at: Math.floor(expiresAt / 1000),
      domain: accounts.domain(),
      chain_id: accounts.vault?.domain.chainId ?? null,
      coordinator: accounts.coordinator ?? null,
      credits: accounts.vault?.domain.credits ?? null
    }
  })

  app.post('/v1/auth/siwe', async (request) => {
    const body = parseBody(signInSchema, request.body)
    const { account, expiresAt } = await accounts.signIn.verify(body.message, body.signature)
    const stored = body.authorization === undefined
      ? accounts.ledger.authorization(account)
      : await accounts.authorizations.accept(account, body.authorization)

    const session = accounts.sessions.create(account, expiresAt)
    request.log.info({ account: session.account, session: session.id }, 'signed in')
    return {
      session: session.token,
      account: session.account,
      expires_at: Math.floor(session.expiresAt / 1000),
      authorization: authorizationView(stored)
    }
  })

  app.post('/v1/auth/authorization', async (request) => {
    const owner = requireSession(request)
    const body = parseBody(authorizationSchema, request.body)
    const stored = await accounts.authorizations.accept(owner as Address, body)
    return { authorization: authorizationView(stored) }
  })
}
