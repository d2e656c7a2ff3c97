import { hashReceipt, type Receipt } from '@parallelix/sdk'
import { isAddressEqual, recoverAddress, type Address, type Hex } from 'viem'
import type { ServedBy } from '../chat/conversation.ts'

/** What the browser found when it checked an answer's proof of execution itself. */
export interface PoeCheck {
  /** The receipt's EIP-712 digest equals the PoE hash. */
  hashMatches: boolean
  /** The address the signature recovers to; null when the signature is malformed. */
  signer: Address | null
  /** The signer is the operator the coordinator named. */
  signedByOperator: boolean
  verified: boolean
}

async function recover (hash: Hex, signature: Hex): Promise<Address | null> {
  try {
    return await recoverAddress({ hash, signature })
  } catch {
    return null
  }
}

function digest (receipt: Record<string, unknown>): Hex | null {
  try {
    return hashReceipt(receipt as unknown as Receipt)
  } catch {
    return null
  }
}

/**
 * Checks a PoE with no help from the server: the receipt hashes to `poe.hash` and
 * `recoverAddress({ hash, signature })` is the operator's address.
 */
export async function verifyPoe (served: ServedBy): Promise<PoeCheck> {
  const hash = served.poe.hash as Hex
  const signer = await recover(hash, served.poe.signature as Hex)
  const hashMatches = digest(served.receipt)?.toLowerCase() === hash.toLowerCase()
  const signedByOperator = signer !== null && /^0x[0-9a-fA-F]{40}$/.test(served.operator) &&
    isAddressEqual(signer, served.operator as Address)
  return { hashMatches, signer, signedByOperator, verified: hashMatches && signedByOperator }
}
