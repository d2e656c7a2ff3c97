import { spendingAuthorizationTypedData } from '@parallelix/contracts/typed-data'
import { isAddress, parseAbi, type Address } from 'viem'
import type { WalletSigner } from './signer.ts'

/** The cap the console proposes: what the coordinator may debit in total, in base units. */
export const DEFAULT_CAP = 100n * 10n ** 18n

/** How long a spending authorization signed here lasts. */
export const AUTHORIZATION_DAYS = 30

const NONCE_ABI = parseAbi(['function authorizationNonce(address user) view returns (uint256)'])

/** What GET /v1/auth/nonce says about the vault; nulls when the coordinator has none. */
export interface VaultTerms {
  chain_id?: number | null
  coordinator?: string | null
  credits?: string | null
}

/** The body field POST /v1/auth/siwe takes: amounts as decimal strings. */
export interface SignedAuthorization {
  cap: string
  expiry: string
  nonce: string
  signature: string
}

/** No spending authorization can be signed here; the message says why. */
export class AuthorizationUnavailableError extends Error {
  override readonly name = 'AuthorizationUnavailableError'
}

/**
 * Signs the vault's EIP-712 SpendingAuthorization: this coordinator may debit up to
 * DEFAULT_CAP for AUTHORIZATION_DAYS, with the user's current nonce read from the vault.
 */
export async function signAuthorization (signer: WalletSigner, terms: VaultTerms):
  Promise<SignedAuthorization> {
  const { chain_id: chainId, coordinator, credits } = terms
  if (chainId == null || coordinator == null || credits == null ||
      !isAddress(coordinator) || !isAddress(credits)) {
    throw new AuthorizationUnavailableError('This coordinator names no vault: there is no ' +
      'spending authorization to sign')
  }
  if (signer.chain === undefined) {
    throw new AuthorizationUnavailableError('This wallet cannot read the vault\'s nonce')
  }
  if (signer.chainId !== chainId) await signer.switchChain(chainId)

  const nonce = await signer.chain.readContract({
    address: credits, abi: NONCE_ABI, functionName: 'authorizationNonce', args: [signer.address]
  })
  const expiry = BigInt(Math.floor(Date.now() / 1000) + AUTHORIZATION_DAYS * 24 * 60 * 60)
  const message = {
    user: signer.address, coordinator: coordinator as Address, cap: DEFAULT_CAP, expiry, nonce
  }
  const signature = await signer.signTypedData(
    spendingAuthorizationTypedData({ chainId, credits }, message))
  return {
    cap: DEFAULT_CAP.toString(), expiry: expiry.toString(), nonce: nonce.toString(), signature
  }
}
