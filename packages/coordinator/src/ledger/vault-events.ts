import type { LedgerBatch } from './batch.ts'
import type { WithdrawalHolds } from './withdrawal-holds.ts'

/**
 * A vault event that moves an account's credit, already confirmed. `ref` identifies the
 * log (chain id, transaction hash, log index): each is applied exactly once.
 */
export type VaultEvent =
  | { kind: 'deposited', ref: string, user: string, amount: bigint }
  | { kind: 'withdrawn', ref: string, user: string, amount: bigint, coordinator: string,
      nonce: bigint }
  | { kind: 'withdrawal_requested', ref: string, user: string, amount: bigint }
  | { kind: 'withdrawal_cancelled', ref: string, user: string }
  | { kind: 'withdrawal_executed', ref: string, user: string, paid: bigint }

/**
 * Inside a transition: applies confirmed vault events to the ledger. Returns how many were
 * new; a log seen before (same ref) changes nothing.
 */
export function applyVaultEvents (
  batch: LedgerBatch, holds: WithdrawalHolds, events: VaultEvent[], coordinator: string | null
): number {
  let applied = 0
  for (const event of events) {
    const user = event.user.toLowerCase()
    switch (event.kind) {
      case 'deposited':
        if (batch.entry(user, 'deposit', event.amount, event.ref, true)) applied++
        break
      case 'withdrawn':
        if (!batch.entry(user, 'withdrawal', event.amount, event.ref, true)) break
        applied++
        if (event.coordinator.toLowerCase() === coordinator) {
          holds.releaseInstant(batch, user, event.nonce)
        }
        break
      case 'withdrawal_requested':
        holds.holdDelayed(batch, user, event.amount, event.ref)
        applied++
        break
      case 'withdrawal_cancelled':
        holds.releaseDelayed(batch, user)
        applied++
        break
      case 'withdrawal_executed':
        holds.releaseDelayed(batch, user)
        batch.entry(user, 'withdrawal', event.paid, event.ref, true)
        applied++
        break
    }
  }
  return applied
}
