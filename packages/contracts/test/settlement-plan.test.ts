import fc from 'fast-check'
import t from 'tap'
import type { Address } from 'viem'
import { planSettlement } from '../src/index.ts'

const A = '0x00000000000000000000000000000000000000a1' as Address
const B = '0x00000000000000000000000000000000000000b2' as Address
const X = '0x00000000000000000000000000000000000000c3' as Address
const Y = '0x00000000000000000000000000000000000000d4' as Address
const Z = '0x00000000000000000000000000000000000000e5' as Address

t.test('aggregates debits per user and credits per operator at 85%', async (t) => {
  const plan = planSettlement([
    { user: A, operator: X, amount: 100n },
    { user: B, operator: Y, amount: 300n },
    { user: A, operator: Y, amount: 600n },
  ])

  t.same(plan.debits, [
    { user: A, amount: 700n },
    { user: B, amount: 300n },
  ])
  t.same(plan.credits, [
    { operator: X, amount: 85n },
    { operator: Y, amount: 765n },
  ])
  t.same([plan.debited, plan.credited, plan.fee], [1_000n, 850n, 150n])
})

t.test('gives the units lost to rounding to the largest remainders', async (t) => {
  // 3 operators with 1 wei each: floor(0.85) = 0 each, floor(2.55) = 2 in total.
  const plan = planSettlement([
    { user: A, operator: X, amount: 1n },
    { user: A, operator: Y, amount: 1n },
    { user: A, operator: Z, amount: 1n },
  ])

  t.same(plan.credits.map((c) => c.amount), [1n, 1n, 0n])
  t.same([plan.credited, plan.fee], [2n, 1n])
})

t.test('prefers the operator with the larger remainder', async (t) => {
  // X: 3 * 0.85 = 2.55, Y: 2 * 0.85 = 1.70; floors give 3 of floor(4.25) = 4, and the
  // missing unit goes to Y, whose remainder (.70) beats X's (.55).
  const plan = planSettlement(
    [
      { user: A, operator: Y, amount: 2n },
      { user: A, operator: X, amount: 3n },
    ],
    8_500n,
  )

  t.same(plan.credits, [
    { operator: Y, amount: 2n },
    { operator: X, amount: 2n },
  ])
})

t.test('always satisfies the vault rule and never moves a credit by more than 1', async (t) => {
  const address = fc.constantFrom(A, B, X, Y, Z)
  const entry = fc.record({ user: address, operator: address, amount: fc.bigInt(0n, 10n ** 24n) })

  fc.assert(
    fc.property(
      fc.array(entry, { minLength: 1, maxLength: 50 }),
      fc.bigInt(5_000n, 10_000n),
      (entries, share) => {
        const plan = planSettlement(entries, share)
        const total = entries.reduce((sum, e) => sum + e.amount, 0n)
        const credited = plan.credits.reduce((sum, c) => sum + c.amount, 0n)
        const debited = plan.debits.reduce((sum, d) => sum + d.amount, 0n)
        if (debited !== total || plan.debited !== total) return false
        if (credited !== (total * share) / 10_000n || plan.credited !== credited) return false
        if (plan.fee !== total - credited) return false
        return plan.credits.every((c) => {
          const gross = entries
            .filter((e) => e.operator === c.operator)
            .reduce((sum, e) => sum + e.amount, 0n)
          const floor = (gross * share) / 10_000n
          return c.amount === floor || c.amount === floor + 1n
        })
      },
    ),
    { numRuns: 500 },
  )

  t.pass('held for 500 random batches')
})
