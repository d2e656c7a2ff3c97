import { z } from 'zod'
import { ApiError } from '../errors.ts'
import { requireSession } from '../../auth/hook.ts'
import { decimal, uint256Schema } from '../../ledger/amount.ts'
import { parseBody } from './body.ts'
import type { FastifyInstance } from 'fastify'
import type { Address } from 'viem'
import type { Accounts } from '../../auth/accounts.ts'

const withdrawalSchema = z.object({
  amount: uint256Schema.refine((n) => n > 0n, 'must be positive')
})

/**
 * POST /v1/withdrawals { amount }: the coordinator's co-signature for an instant withdrawal
 * from the vault, given only for credit not reserved, unsettled or already held. The user
 * submits it to the vault's `withdraw(amount, deadline, coordinator, signature)`.
 */
export async function withdrawalRoutes (app: FastifyInstance, opts: { accounts: Accounts }) {
  const { accounts } = opts

  app.post('/v1/withdrawals', async (request) => {
    const owner = requireSession(request)
    const { amount } = parseBody(withdrawalSchema, request.body)
    const approver = accounts.withdrawals
    if (approver === undefined || accounts.vault === undefined) {
      throw new ApiError(503, 'This coordinator co-signs no withdrawals: it runs without a ' +
        'vault or a coordinator key; use the vault\'s delayed withdrawal', 'service_unavailable',
        'withdrawals_unavailable')
    }
    const grant = await approver.approve(owner as Address, amount)
    return {
      object: 'withdrawal_approval',
      id: grant.id,
      user: grant.account,
      amount: decimal(grant.amount),
      nonce: decimal(grant.nonce),
      deadline: grant.deadline,
      coordinator: grant.coordinator,
      credits: accounts.vault.domain.credits,
      chain_id: accounts.vault.domain.chainId,
      signature: grant.signature
    }
  })
}
