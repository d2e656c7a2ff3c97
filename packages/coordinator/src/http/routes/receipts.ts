import { ApiError } from '../errors.ts'
import { settlementView } from './proofs.ts'
import type { FastifyInstance } from 'fastify'
import type { Ledger } from '../../ledger/ledger.ts'
import type { SettlementStore } from '../../settlement/store.ts'

export interface ReceiptRouteOptions {
  ledger: Ledger
  settlement: SettlementStore
}

interface FinalFrameLike {
  receipt: unknown
  hash: string
  signature: string
}

function notFound (requestId: string): ApiError {
  return new ApiError(404, `No receipt for request ${requestId}`, 'invalid_request_error',
    'receipt_not_found', 'request_id')
}

/**
 * GET /v1/receipts/{requestId}: the caller's own request's signed receipt and PoE, and once
 * batched, its settlement batch and Merkle proof. Another account's request answers 404.
 */
export async function receiptRoutes (app: FastifyInstance, opts: ReceiptRouteOptions) {
  app.get<{ Params: { requestId: string } }>('/v1/receipts/:requestId', async (request) => {
    const { requestId } = request.params
    const owner = request.owner
    if (owner === null) throw notFound(requestId)
    const record = opts.ledger.request(owner, requestId)
    const frames = record?.receipt
    const final = (Array.isArray(frames) ? frames : [frames]).at(-1) as FinalFrameLike | null
    if (final === undefined || final === null || typeof final.hash !== 'string') {
      throw notFound(requestId)
    }

    // One settlement receipt per signed segment; the top level describes the last one.
    const segments = opts.settlement.ofRequest(owner, requestId)
      .map((r) => settlementView(opts.settlement, r))
    const last = segments.find((s) => s.receipt_hash === final.hash.toLowerCase())
    return {
      receipt: final.receipt,
      poe: { hash: final.hash, signature: final.signature },
      batch: last?.batch == null
        ? null
        : { id: last.batch.id, root: last.batch.root, tx_hash: last.batch.tx_hash,
            status: last.batch.status },
      proof: last?.proof ?? null,
      settlement: last === undefined ? null : { status: last.status, reason: last.reason },
      segments
    }
  })
}
