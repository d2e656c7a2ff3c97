import { creditsAbi, withdrawalApprovalTypedData } from '@parallelix/contracts'
import { createLogger } from '@parallelix/protocol'
import type { Address } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { InstantHold, WithdrawalHolds } from '../ledger/withdrawal-holds.ts'
import type { Vault } from './vault.ts'

const log = createLogger('coordinator:withdrawals')

/** How long a co-signature stays usable by default: 15 minutes. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 900

/** A co-signed instant withdrawal, ready for the user to submit to `withdraw`. */
export interface WithdrawalApprovalGrant extends InstantHold {
  coordinator: Address
}

/**
 * The coordinator's side of instant withdrawals: it co-signs the vault's WithdrawalApproval
 * only for credit that is free (balance less reservations, unsettled debits and other
 * withdrawals), and holds that credit until the withdrawal shows on chain or expires.
 */
export class WithdrawalApprover {
  constructor (
    private readonly vault: Vault,
    private readonly coordinator: PrivateKeyAccount,
    private readonly holds: WithdrawalHolds,
    private readonly ttlSeconds = DEFAULT_APPROVAL_TTL_SECONDS
  ) {}

  async approve (user: Address, amount: bigint): Promise<WithdrawalApprovalGrant> {
    const { domain, client } = this.vault
    const nonce = await client.readContract({
      address: domain.credits, abi: creditsAbi, functionName: 'withdrawalNonce', args: [user]
    })
    const deadline = Math.floor(Date.now() / 1000) + this.ttlSeconds
    const signature = await this.coordinator.signTypedData(withdrawalApprovalTypedData(domain, {
      user, amount, nonce, deadline: BigInt(deadline)
    }))
    // The signature leaves this process only if the hold succeeds.
    const hold = await this.holds.holdInstant({
      account: user, amount, nonce, deadline, signature
    })
    log.info({ account: hold.account, amount: amount.toString(), nonce: nonce.toString(),
      deadline }, 'co-signed an instant withdrawal')
    return { ...hold, coordinator: this.coordinator.address }
  }
}
