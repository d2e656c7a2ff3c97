import { ApiError } from '../errors.ts'
import { proofFromDump } from '../../settlement/batch-builder.ts'
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

    const settled = opts.settlement.receipt(owner, requestId)
    const batch = settled?.batchId == null ? undefined : opts.settlement.batch(settled.batchId)
    return {
      receipt: final.receipt,
      poe: { hash: final.hash, signature: final.signature },
      batch: batch === undefined
        ? null
        : { id: batch.batchId, root: batch.root, tx_hash: batch.txHash, status: batch.status },
      proof: batch === undefined || settled?.leafIndex == null
        ? null
        : proofFromDump(batch.tree, settled.leafIndex),
      settlement: settled === undefined
        ? null
        : { status: settled.status, reason: settled.reason }
    }
  })
}
