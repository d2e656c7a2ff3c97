/** The kinds of ledger entry; every balance is a fold of them. */
export type EntryKind =
  | 'deposit' | 'reserve' | 'debit' | 'release' | 'withdrawal' | 'settlement' | 'refund'

/** Prefix of the refs of withdrawal holds, which reserve and release like requests do. */
export const HOLD_REF_PREFIX = 'hold:'

/**
 * One account's position, all in token base units. `balance` mirrors the vault (deposits
 * less withdrawals and settlements); the rest is what the coordinator has promised out of it.
 */
export interface AccountState {
  /** Deposits − withdrawals − settlements: what the vault holds for the account. */
  balance: bigint
  /** Open reservations of requests in flight. */
  reserved: bigint
  /** Held for co-signed or requested withdrawals not yet seen on chain. */
  held: bigint
  /** Debits not yet settled on chain. */
  unsettled: bigint
  /** All debits ever: settled + unsettled. */
  spent: bigint
  /** All settlements ever. */
  settled: bigint
}

export const STATE_FIELDS = [
  'balance', 'reserved', 'held', 'unsettled', 'spent', 'settled'
] as const satisfies ReadonlyArray<keyof AccountState>

export function emptyState (): AccountState {
  return { balance: 0n, reserved: 0n, held: 0n, unsettled: 0n, spent: 0n, settled: 0n }
}

/** What a new reservation or withdrawal may still take; negative when over-committed. */
export function availableOf (s: AccountState): bigint {
  return s.balance - s.reserved - s.held - s.unsettled
}

/** Applies one entry to a state; the only place that knows what each kind moves. */
export function applyEntry (s: AccountState, kind: EntryKind, amount: bigint, ref: string): void {
  const hold = ref.startsWith(HOLD_REF_PREFIX)
  switch (kind) {
    case 'deposit':
      s.balance += amount
      break
    case 'reserve':
      if (hold) s.held += amount
      else s.reserved += amount
      break
    case 'release':
      if (hold) s.held -= amount
      else s.reserved -= amount
      break
    case 'debit':
      s.reserved -= amount
      s.unsettled += amount
      s.spent += amount
      break
    case 'withdrawal':
      s.balance -= amount
      break
    case 'settlement':
      s.balance -= amount
      s.unsettled -= amount
      s.settled += amount
      break
    case 'refund':
      // Takes back an unsettled debit that will never settle (its receipt was refused).
      s.unsettled -= amount
      s.spent -= amount
      break
  }
}
