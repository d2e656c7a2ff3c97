import t from 'tap'
import * as sdk from '../src/index.ts'

t.test('exports exactly the public API, nothing more', async (t) => {
  t.same(Object.keys(sdk).sort(), [
    'AbortError', 'ApiError', 'AuthenticationError', 'BadRequestError', 'ChatStream',
    'ConnectionError', 'DEFAULT_MAX_RETRIES', 'DEFAULT_POLL_MS', 'DEFAULT_TIMEOUT_MS',
    'InsufficientQuotaError', 'InvalidArgumentError', 'InvalidResponseError',
    'MAX_BATCH_ITEMS', 'NotFoundError', 'POE_DOMAIN', 'POE_TYPES', 'ParalleliX', 'ParalleliXError', 'PermissionDeniedError',
    'RateLimitError', 'ReceiptVerificationError', 'ServerError', 'TimeoutError',
    'batchRootAbi', 'hashReceipt', 'isBatchDone', 'parseBaseUnits', 'parseReceiptRecord',
    'processMerkleProof', 'receiptLeaf', 'recoverReceiptSigner', 'verifyMerkleProof',
    'verifyPoe', 'verifyReceipt'
  ])
})

t.test('every error class carries its own name and a stable code', async (t) => {
  const rate = new sdk.RateLimitError({
    status: 429, message: 'busy', type: 'rate_limit_error', code: 'capacity_exhausted'
  })
  t.equal(rate.name, 'RateLimitError')
  t.equal(rate.code, 'capacity_exhausted')
  t.ok(rate instanceof sdk.ApiError && rate instanceof sdk.ParalleliXError)
  t.equal(new sdk.TimeoutError(5).name, 'TimeoutError')
  t.equal(new sdk.TimeoutError(5).code, 'timeout')
  t.ok(new sdk.TimeoutError(5) instanceof sdk.ConnectionError)
  t.equal(new sdk.AbortError().code, 'aborted')
  t.equal(new sdk.ReceiptVerificationError('receipt_proof_invalid', 'x').code,
    'receipt_proof_invalid')
})
