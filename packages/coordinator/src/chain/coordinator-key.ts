import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'

/** Environment variable holding the coordinator's Ethereum key (0x + 64 hex digits). */
export const COORDINATOR_KEY_ENV = 'PARALLELIX_COORDINATOR_KEY'

/** The coordinator key is not a 32-byte hex private key. */
export class InvalidCoordinatorKeyError extends Error {
  static override readonly name = 'InvalidCoordinatorKeyError'
  override readonly name = 'InvalidCoordinatorKeyError'
}

/**
 * The account the coordinator signs with: spending authorizations name it, and it
 * co-signs instant withdrawals, so it must hold the vault's COORDINATOR_ROLE. Taken from
 * `key`, else from PARALLELIX_COORDINATOR_KEY; undefined when neither is set.
 */
export function loadCoordinatorAccount (
  key: string | undefined = process.env[COORDINATOR_KEY_ENV]
): PrivateKeyAccount | undefined {
  if (key === undefined || key === '') return undefined
  const hex = key.startsWith('0x') ? key : `0x${key}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InvalidCoordinatorKeyError('the coordinator key must be 32 bytes of hex')
  }
  return privateKeyToAccount(hex as `0x${string}`)
}
