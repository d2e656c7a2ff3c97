import { z } from 'zod'
import { decimal } from '../../ledger/amount.ts'
import { parseBody } from './body.ts'
import { authorizationView } from './auth.ts'
import type { FastifyInstance } from 'fastify'
import type { Accounts } from '../../auth/accounts.ts'
import type { SettlementStore } from '../../settlement/store.ts'
import { UsageReport, type UsageSummary, type UsageTotals } from '../../ledger/usage.ts'

/** Receipts listed by default, and at most (`?receipts=N`). */
const DEFAULT_RECEIPTS = 20
const MAX_RECEIPTS = 100

/** Unix seconds, or an ISO 8601 date. */
const instant = z.string().transform((v, ctx) => {
  const ms = /^[0-9]{1,12}$/.test(v) ? Number(v) * 1000 : Date.parse(v)
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected unix seconds or an ISO 8601 date' })
    return z.NEVER
  }
  return ms
})

const querySchema = z.object({
  from: instant.optional(),
  to: instant.optional(),
  receipts: z.coerce.number().int().min(0).max(MAX_RECEIPTS).optional()
})

function totalsView (t: UsageTotals) {
  return {
    requests: t.requests,
    prompt_tokens: t.promptTokens,
    completion_tokens: t.completionTokens,
    total_tokens: t.promptTokens + t.completionTokens,
    credits_spent: decimal(t.cost)
  }
}

function summaryView (s: UsageSummary) {
  return {
    ...totalsView(s),
    by_model: Object.entries(s.byModel)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([model, t]) => ({ model, ...totalsView(t) }))
  }
}

/**
 * GET /v1/usage?from=&to=&receipts=: requests, tokens and credits spent in the window
 * (widened to whole hours, as `from` and `to` in the answer show), for the key
 * making the call (null with a session) and for its whole account, overall and per model;
 * the account's credit position now; and its latest receipts in the window with their
 * settlement, each linking to GET /v1/receipts/{id}. Amounts are decimal strings of base
 * units.
 */
export async function usageRoutes (
  app: FastifyInstance, opts: { accounts: Accounts, settlement?: SettlementStore }
) {
  const { accounts } = opts

  app.get('/v1/usage', async (request) => {
    const owner = request.owner!
    const query = parseBody(querySchema, request.query)
    const window = UsageReport.align({ from: query.from ?? 0, to: query.to ?? Date.now() + 1 })
    const credit = accounts.ledger.snapshot(owner)
    const receipts = opts.settlement?.recentOf(owner, window.from, window.to,
      query.receipts ?? DEFAULT_RECEIPTS) ?? []
    const auth = accounts.ledger.authorization(owner)
    const capUsed = auth === undefined
      ? 0n
      : credit.spent - auth.settledBase + credit.reserved

    return {
      object: 'usage',
      account: owner,
      from: Math.floor(window.from / 1000),
      to: Math.floor(window.to / 1000),
      key: request.apiKeyId === null
        ? null
        : {
            id: request.apiKeyId,
            ...summaryView(accounts.usage.apiKey(owner, request.apiKeyId, window))
          },
      account_usage: summaryView(accounts.usage.account(owner, window)),
      credits: {
        balance: decimal(credit.balance),
        reserved: decimal(credit.reserved),
        held: decimal(credit.held),
        unsettled: decimal(credit.unsettled),
        available: decimal(credit.available > 0n ? credit.available : 0n),
        spent: decimal(credit.spent)
      },
      authorization: auth === undefined
        ? null
        : {
            ...authorizationView(auth),
            remaining: decimal(auth.cap > capUsed ? auth.cap - capUsed : 0n)
          },
      receipts: receipts.map((r) => ({
        request_id: r.parentId,
        segment_request_id: r.requestId,
        receipt_hash: r.receiptHash,
        operator: r.operator,
        cost: decimal(r.cost),
        status: r.status,
        reason: r.reason,
        batch_id: r.batchId,
        url: `/v1/receipts/${r.parentId}`
      }))
    }
  })
}
