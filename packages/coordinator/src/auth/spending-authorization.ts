import { verifySpendingAuthorization, creditsAbi } from '@parallelix/contracts'
import type { Address, Hex } from 'viem'
import { SpendingAuthorizationError } from './errors.ts'
import { AUTHORIZATION_MARGIN_SECONDS, type Ledger } from '../ledger/ledger.ts'
import type { StoredAuthorization } from '../ledger/spending-authorizations.ts'
import type { Vault } from '../chain/vault.ts'

/** What a user signs at sign-in (or later) so this coordinator may meter and settle. */
export interface SignedAuthorization {
  cap: bigint
  expiry: bigint
  nonce: bigint
  signature: Hex
}

/**
 * Accepts a user's spending authorization for this coordinator: checked against the
 * vault's own EIP-712 definition and the user's current on-chain nonce, then stored in the
 * ledger, whose reservations never let metered spending pass its cap.
 */
export class SpendingAuthorizations {
  constructor (
    private readonly ledger: Ledger,
    private readonly vault: Vault | undefined,
    private readonly coordinator: Address | undefined
  ) {}

  async accept (user: Address, signed: SignedAuthorization): Promise<StoredAuthorization> {
    const { vault, coordinator } = this
    if (vault === undefined || coordinator === undefined) {
      throw new SpendingAuthorizationError('This coordinator takes no spending authorizations: ' +
        'it runs without a vault or without a coordinator key')
    }
    const now = BigInt(Math.floor(Date.now() / 1000))
    if (signed.expiry <= now + AUTHORIZATION_MARGIN_SECONDS) {
      throw new SpendingAuthorizationError('The spending authorization expires too soon')
    }
    if (signed.cap <= 0n) throw new SpendingAuthorizationError('The cap must be positive')
    const { cap, expiry, nonce } = signed
    const message = { user, coordinator, cap, expiry, nonce }
    const valid = await verifySpendingAuthorization(vault.domain, message, signed.signature)
      .catch(() => false)
    if (!valid) {
      throw new SpendingAuthorizationError(
        `The spending authorization is not signed by ${user} for coordinator ${coordinator} ` +
        `on chain ${vault.domain.chainId}, vault ${vault.domain.credits}`)
    }
    const expected = await vault.client.readContract({
      address: vault.domain.credits, abi: creditsAbi, functionName: 'authorizationNonce',
      args: [user]
    })
    if (expected !== signed.nonce) {
      throw new SpendingAuthorizationError(
        `The spending authorization has nonce ${signed.nonce}; the vault expects ${expected}`)
    }
    return this.ledger.storeAuthorization({ ...message, signature: signed.signature })
  }
}
