export { ParalleliX } from './client.ts'
export type { ParalleliXOptions, ReceiptOptions, ReceiptResult } from './client.ts'
export type { RequestOptions } from './transport.ts'
export type {
  ChatMessage, ChatRequest, ChatResult, FinishReason, SamplingParams
} from './chat.ts'
export { ChatStream } from './stream.ts'
export { isBatchDone } from './batch.ts'
export type {
  Batch, BatchCounts, BatchInput, BatchItem, BatchItemStatus, BatchRequest, BatchStatus
} from './batch.ts'
export type { WaitBatchOptions } from './wait-batch.ts'
export type {
  MapProgress, MapResult, ParallelMapOptions, ParallelMapResult, PromptOf
} from './parallel-map.ts'
export type { MapStopReason } from './map-chunk.ts'
export type { Model, PoolNode } from './pool.ts'
export type { ModelUsage, UsageReport } from './usage.ts'
export type { ParalleliXInfo, ProofOfExecution, Receipt, Usage } from './wire.ts'
export { batchRootAbi, parseReceiptRecord, verifyPoe, verifyReceipt } from './receipt.ts'
export type {
  OnchainRoots, ReceiptBatch, ReceiptRecord, ReceiptVerification, VerifyReceiptOptions
} from './receipt.ts'
export { POE_DOMAIN, POE_TYPES, hashReceipt, recoverReceiptSigner } from './poe.ts'
export { processMerkleProof, receiptLeaf, verifyMerkleProof } from './merkle.ts'
export { parseBaseUnits } from './money.ts'
export {
  AbortError, ApiError, AuthenticationError, BadRequestError, ConnectionError,
  InsufficientQuotaError, InvalidArgumentError, InvalidResponseError, NotFoundError,
  ParalleliXError, PermissionDeniedError, RateLimitError, ReceiptVerificationError,
  ServerError, TimeoutError
} from './errors.ts'
export type { ApiErrorInit, ReceiptFailure } from './errors.ts'
export {
  DEFAULT_MAX_RETRIES, DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS, MAX_BATCH_ITEMS
} from './constants.ts'
