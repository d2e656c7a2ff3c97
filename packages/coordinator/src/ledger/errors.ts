/**
 * A ledger transition refusing to happen. It is thrown before the transition writes
 * anything, so the group commit around it needs no rollback.
 */
export class LedgerRefusal extends Error {
  static override readonly name: string = 'LedgerRefusal'
  override readonly name: string = 'LedgerRefusal'
}

/** Why a reservation was refused; each maps to the same 402 with its own message. */
export type CreditShortfall =
  | 'balance' | 'cap' | 'no_authorization' | 'authorization_expired'

/** The account cannot cover a request's maximum cost: nothing is dispatched. */
export class InsufficientCreditError extends LedgerRefusal {
  static override readonly name = 'InsufficientCreditError'
  override readonly name = 'InsufficientCreditError'
  readonly code = 'insufficient_quota'

  constructor (readonly reason: CreditShortfall, message: string) {
    super(message)
  }
}

/** A withdrawal co-signature was refused: the amount exceeds what is free to leave. */
export class WithdrawalRefusedError extends LedgerRefusal {
  static override readonly name = 'WithdrawalRefusedError'
  override readonly name = 'WithdrawalRefusedError'

  constructor (
    readonly code: 'withdrawal_exceeds_available' | 'withdrawal_pending',
    message: string
  ) {
    super(message)
  }
}

/** A ledger call that breaks its own rules (unknown request, settled twice): a bug. */
export class LedgerStateError extends Error {
  static override readonly name = 'LedgerStateError'
  override readonly name = 'LedgerStateError'
  readonly code = 'ledger_state'
}
