import { isAddress, type Address } from 'viem'
import { invalidRequest } from '../errors.ts'
import { decimal } from '../../ledger/amount.ts'
import type { FastifyInstance } from 'fastify'
import type { Settlement } from '../../settlement/settlement.ts'

const BPS = 10_000n

/**
 * GET /v1/operators/{address}/earnings: what an operator was credited by confirmed batches
 * (settled), what batches on their way and receipts not yet batched will credit (pending,
 * the latter estimated at the vault's share), and what the vault lets it claim now.
 * Amounts are decimal strings of PRLX base units.
 */
export async function earningsRoutes (app: FastifyInstance, opts: { settlement: Settlement }) {
  const { store, chain } = opts.settlement

  app.get<{ Params: { address: string } }>('/v1/operators/:address/earnings', async (request) => {
    const { address } = request.params
    if (!isAddress(address)) throw invalidRequest('address must be an address', 'address')
    const operator = address.toLowerCase() as Address

    const batches = store.all().flatMap((b) => {
      const credit = b.plan.credits.find((c) => c.operator.toLowerCase() === operator)
      return credit === undefined ? [] : [{ batch: b, amount: credit.amount }]
    })
    // A quarantined batch never settles: its credits are neither settled nor pending.
    const sum = (confirmed: boolean) => batches
      .filter(({ batch }) => batch.status !== 'quarantined' &&
        (batch.status === 'confirmed') === confirmed)
      .reduce((s, { amount }) => s + amount, 0n)
    const unbatched = store.unbatchedGross(operator)
    const shareBps = chain === undefined ? undefined : await chain.shareBps()
    const onchain = chain === undefined ? undefined : await chain.earnings(operator)

    return {
      object: 'operator_earnings',
      operator,
      settled: decimal(sum(true)),
      pending: decimal(sum(false) +
        (shareBps === undefined ? 0n : unbatched.gross * shareBps / BPS)),
      unbatched_receipts: unbatched.receipts,
      unpaid_receipts: store.unpaidCounts(operator),
      claimable: onchain === undefined ? null : decimal(onchain.claimable),
      total_earned: onchain === undefined ? null : decimal(onchain.totalEarned),
      batches: batches.map(({ batch, amount }) => ({
        id: batch.batchId,
        status: batch.status,
        tx_hash: batch.txHash,
        receipts: batch.receiptCount,
        operator_receipts: store.countInBatch(batch.batchId, operator),
        amount: decimal(amount)
      }))
    }
  })
}
