import type { Address } from 'viem'
import { DEFAULT_SHARE_BPS } from './constants.ts'

const BPS = 10_000n

/** One metered request: `user` paid `amount`, served by `operator`. */
export type UsageEntry = { user: Address; operator: Address; amount: bigint }

/** The aggregated arguments of `settle` and the amounts they imply. */
export type SettlementPlan = {
  debits: { user: Address; amount: bigint }[]
  credits: { operator: Address; amount: bigint }[]
  /** Σdebits. */
  debited: bigint
  /** Σcredits = floor(debited * shareBps / 10000), exactly what the vault demands. */
  credited: bigint
  /** debited - credited: the protocol fee. */
  fee: bigint
}

/**
 * Aggregates a batch's usage into per-user debits and per-operator credits that satisfy the
 * vault's rule. Each operator gets floor(its gross * shareBps / 10000); the units lost to
 * rounding go one each to the operators with the largest remainders (ties: first seen).
 */
export function planSettlement(
  entries: readonly UsageEntry[],
  shareBps: bigint = DEFAULT_SHARE_BPS,
): SettlementPlan {
  const byUser = new Map<Address, bigint>()
  const byOperator = new Map<Address, bigint>()
  for (const { user, operator, amount } of entries) {
    byUser.set(user, (byUser.get(user) ?? 0n) + amount)
    byOperator.set(operator, (byOperator.get(operator) ?? 0n) + amount)
  }

  const debited = [...byUser.values()].reduce((a, b) => a + b, 0n)
  const credited = (debited * shareBps) / BPS
  const shares = [...byOperator].map(([operator, gross], order) => ({
    operator,
    order,
    amount: (gross * shareBps) / BPS,
    remainder: (gross * shareBps) % BPS,
  }))
  let missing = credited - shares.reduce((sum, s) => sum + s.amount, 0n)
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.order - b.order : a.remainder > b.remainder ? -1 : 1,
  )
  for (const share of byRemainder) {
    if (missing === 0n) break
    share.amount += 1n
    missing -= 1n
  }

  return {
    debits: [...byUser].map(([user, amount]) => ({ user, amount })),
    credits: shares.map(({ operator, amount }) => ({ operator, amount })),
    debited,
    credited,
    fee: debited - credited,
  }
}
