import { ApiError } from '../errors.ts'
import { proofFromDump } from '../../settlement/batch-builder.ts'
import type { FastifyInstance } from 'fastify'
import type { SettlementStore, StoredReceipt } from '../../settlement/store.ts'

const RECEIPT_HASH = /^0x[0-9a-fA-F]{64}$/

/**
 * A receipt's settlement as anyone holding its hash may read it: status, batch and the
 * Merkle proof of its leaf. Shared by GET /v1/proofs/{hash} and GET /v1/receipts/{id}.
 */
export function settlementView (store: SettlementStore, r: StoredReceipt) {
  const batch = r.batchId === null ? undefined : store.batch(r.batchId)
  return {
    request_id: r.requestId,
    receipt_hash: r.receiptHash,
    node: r.node,
    operator: r.operator,
    status: r.status,
    reason: r.reason,
    batch: batch === undefined
      ? null
      : {
          id: batch.batchId,
          root: batch.root,
          status: batch.status,
          tx_hash: batch.txHash,
          leaf_index: r.leafIndex
        },
    proof: batch === undefined || r.leafIndex === null
      ? null
      : proofFromDump(batch.tree, r.leafIndex)
  }
}

/**
 * GET /v1/proofs/{receiptHash}: public, so an operator can check that each receipt it
 * signed was settled (`parallelix-node receipts verify`) without an account here.
 */
export async function proofRoutes (app: FastifyInstance, opts: { settlement: SettlementStore }) {
  app.get<{ Params: { receiptHash: string } }>('/v1/proofs/:receiptHash', async (request) => {
    const { receiptHash } = request.params
    if (!RECEIPT_HASH.test(receiptHash)) {
      throw new ApiError(400, 'receiptHash must be 0x followed by 64 hex digits',
        'invalid_request_error', 'invalid_receipt_hash', 'receipt_hash')
    }
    const stored = opts.settlement.byHash(receiptHash)
    if (stored === undefined) {
      throw new ApiError(404, `No collected receipt has hash ${receiptHash}`,
        'invalid_request_error', 'receipt_not_found', 'receipt_hash')
    }
    return { object: 'receipt.proof', ...settlementView(opts.settlement, stored) }
  })
}
