import type { Hex } from 'viem'
import { createSiweMessage } from 'viem/siwe'
import { requestJson } from '../api/request.ts'
import { session, type Session } from '../api/session.ts'
import { toEpochMs } from '../format/text.ts'
import { signAuthorization, type SignedAuthorization, type VaultTerms } from './authorization.ts'
import type { WalletSigner } from './signer.ts'

/** How long the signed message (and so at most the session) stays valid. */
export const SIGN_IN_VALIDITY_MS = 24 * 60 * 60 * 1000

interface NonceAnswer extends VaultTerms { nonce: string, domain?: string }
interface SiweAnswer { session: string, account: string, expires_at: unknown }

/**
 * Sign-In with Ethereum (EIP-4361): takes a nonce from the coordinator, has the wallet sign
 * a message naming this page's host and, where the coordinator has a vault, a spending
 * authorization; trades both for a session token.
 */
export async function signIn (signer: WalletSigner, signal?: AbortSignal): Promise<Session> {
  const terms = await requestJson<NonceAnswer>('/v1/auth/nonce', { anonymous: true, signal })
  // EIP-4361 binds the message to the page's own host; the coordinator accepts only one.
  if (terms.domain != null && terms.domain !== location.host) {
    throw new Error(`This coordinator takes sign-in from ${terms.domain} only: open the ` +
      `console at ${location.protocol}//${terms.domain}`)
  }
  const issuedAt = new Date()
  const message = createSiweMessage({
    address: signer.address,
    chainId: terms.chain_id ?? signer.chainId,
    domain: location.host,
    uri: location.origin,
    nonce: terms.nonce,
    version: '1',
    statement: 'Sign in to the ParalleliX console.',
    issuedAt,
    expirationTime: new Date(issuedAt.getTime() + SIGN_IN_VALIDITY_MS)
  })
  const signature: Hex = await signer.signMessage(message)

  // Without an authorization the session still manages keys; metered chat then answers 402.
  let authorization: SignedAuthorization | undefined
  let authorizationNote: string | undefined
  try {
    authorization = await signAuthorization(signer, terms)
  } catch (err) {
    authorizationNote = err instanceof Error ? err.message : String(err)
  }

  const answer = await requestJson<SiweAnswer>('/v1/auth/siwe', {
    method: 'POST',
    body: { message, signature, ...(authorization === undefined ? {} : { authorization }) },
    anonymous: true,
    signal
  })
  const opened: Session = {
    token: answer.session,
    account: answer.account,
    expiresAt: toEpochMs(answer.expires_at) ?? issuedAt.getTime() + SIGN_IN_VALIDITY_MS,
    ...(authorizationNote === undefined ? {} : { authorizationNote })
  }
  session.set(opened)
  return opened
}

/** Ends the session in this tab. */
export function signOut (): void {
  session.set(null)
}
