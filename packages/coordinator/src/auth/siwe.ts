import { getAddress, verifyMessage, type Address, type Hex, type PublicClient } from 'viem'
import { parseSiweMessage, verifySiweMessage } from 'viem/siwe'
import { SignInError } from './errors.ts'
import type { NonceStore } from './nonces.ts'

export interface SignInOptions {
  nonces: NonceStore
  /** The authority (host[:port]) messages must name; read on every sign-in. */
  domain: () => string
  /** The chain messages must name; any when undefined (no vault configured). */
  chainId?: number
  /** Verifies smart-account signatures (ERC-1271/6492) when given; EOAs only otherwise. */
  client?: PublicClient
  sessionTtlMs: number
}

/** A verified sign-in: who, and until when a session for it may last. */
export interface VerifiedSignIn {
  account: Address
  expiresAt: number
}

/**
 * Verifies Sign-In with Ethereum (EIP-4361) messages: the domain and chain are this
 * coordinator's, the message is within its validity window, its nonce was issued here and
 * is spent by this attempt, and the signature is the address's.
 */
export class SignIn {
  constructor (private readonly opts: SignInOptions) {}

  async verify (message: string, signature: Hex): Promise<VerifiedSignIn> {
    const parsed = parseSiweMessage(message)
    const { address, domain, nonce, chainId, uri, version } = parsed
    if (address === undefined || domain === undefined || nonce === undefined ||
        chainId === undefined || uri === undefined || version !== '1') {
      throw new SignInError('invalid_message', 'The message is not a complete EIP-4361 message')
    }
    if (domain !== this.opts.domain()) {
      throw new SignInError('invalid_domain',
        `The message is for ${domain}, not for this coordinator (${this.opts.domain()})`)
    }
    if (this.opts.chainId !== undefined && chainId !== this.opts.chainId) {
      throw new SignInError('invalid_chain',
        `The message is for chain ${chainId}; this coordinator uses chain ${this.opts.chainId}`)
    }
    const now = Date.now()
    if (parsed.expirationTime !== undefined && parsed.expirationTime.getTime() <= now) {
      throw new SignInError('message_expired', 'The sign-in message has expired')
    }
    if (parsed.notBefore !== undefined && parsed.notBefore.getTime() > now) {
      throw new SignInError('invalid_message', 'The sign-in message is not valid yet')
    }
    if (!this.opts.nonces.consume(nonce)) {
      throw new SignInError('invalid_nonce',
        'The nonce was not issued here, was already used, or has expired: request a new one')
    }

    const valid = this.opts.client === undefined
      ? await verifyMessage({ address, message, signature }).catch(() => false)
      : await verifySiweMessage(this.opts.client, { message, signature, address })
        .catch(() => false)
    if (!valid) throw new SignInError('invalid_signature', `The signature is not ${address}'s`)

    const ttlEnd = now + this.opts.sessionTtlMs
    const expiresAt = parsed.expirationTime === undefined
      ? ttlEnd
      : Math.min(ttlEnd, parsed.expirationTime.getTime())
    return { account: getAddress(address), expiresAt }
  }
}
