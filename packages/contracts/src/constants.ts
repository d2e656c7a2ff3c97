import { keccak256, toBytes } from 'viem'

/** Operators' default share of every debit: 85%. */
export const DEFAULT_SHARE_BPS = 8_500n

/** Default delay of a withdrawal without co-signature: one day. */
export const DEFAULT_WITHDRAWAL_DELAY = 86_400n

/** Default unbonding delay of an operator leaving the registry: seven days. */
export const DEFAULT_UNBONDING_DELAY = 604_800n

/** Default bound on one slash: 10% of the operator's stake. */
export const DEFAULT_MAX_SLASH_BPS = 1_000n

/** AccessControl role of the coordinator (settles, co-signs withdrawals, slashes). */
export const COORDINATOR_ROLE = keccak256(toBytes('COORDINATOR_ROLE'))

/** AccessControl role allowed to collect fees and slashed stake. */
export const TREASURY_ROLE = keccak256(toBytes('TREASURY_ROLE'))

/** AccessControl role allowed to mint devnet PRLX. */
export const MINTER_ROLE = keccak256(toBytes('MINTER_ROLE'))

/** AccessControl admin role. */
export const DEFAULT_ADMIN_ROLE =
  '0x0000000000000000000000000000000000000000000000000000000000000000' as const
