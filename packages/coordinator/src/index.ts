export { startCoordinator } from './coordinator.ts'
export type { CoordinatorConfig, RunningCoordinator } from './coordinator.ts'
export { Dispatcher, newRequestId } from './dispatch.ts'
export type {
  Completion, CompletionRequest, DispatchOptions, DispatcherOptions, FailoverOptions, Segment
} from './dispatch.ts'
export { NodeRegistry } from './mesh/registry.ts'
export type { PoolNode, RegistryOptions } from './mesh/registry.ts'
export { LivenessMonitor } from './mesh/liveness.ts'
export type { LivenessOptions } from './mesh/liveness.ts'
export { requestInference } from './mesh/infer-client.ts'
export type { InferOptions, InferOutcome } from './mesh/infer-client.ts'
export { NodeRequestError } from './mesh/errors.ts'
export { ReceiptRejectedError, verifyReceipt } from './poe/verify-receipt.ts'
export type { ReceiptExpectation, ReceiptRejection } from './poe/verify-receipt.ts'
export { Scheduler } from './scheduler/scheduler.ts'
export type {
  AcquireOptions, Lease, NodePool, Priority, Requirement, SchedulerOptions
} from './scheduler/scheduler.ts'
export { NodeStats, NodeStatsBook } from './scheduler/node-stats.ts'
export type { ServedSample } from './scheduler/node-stats.ts'
export {
  CapacityExhaustedError, ModelNotFoundError, NoCapableNodeError
} from './scheduler/errors.ts'
export { FALLBACK_NODE, FallbackServer } from './fallback/fallback-server.ts'
export type { FallbackConfig, FallbackModel, FallbackOptions } from './fallback/fallback-server.ts'
export { BatchService, MAX_OPEN_BATCHES_PER_OWNER } from './batch/service.ts'
export { BatchStore } from './batch/store.ts'
export type { BatchRecord, ItemRecord, ItemStatus } from './batch/store.ts'
export { MAX_BATCH_ITEMS } from './batch/request.ts'
export { ApiError, toApiError } from './http/errors.ts'
export { startAccounts } from './auth/accounts.ts'
export type { Accounts, AccountsConfig } from './auth/accounts.ts'
export {
  ApiKeyNotFoundError, InvalidApiKeyError, SessionRequiredError, SignInError,
  SpendingAuthorizationError
} from './auth/errors.ts'
export { API_KEY_PREFIX, SESSION_PREFIX } from './auth/tokens.ts'
export { COORDINATOR_KEY_ENV, InvalidCoordinatorKeyError } from './chain/coordinator-key.ts'
export type { ChainConfig } from './chain/vault.ts'
export { Ledger } from './ledger/ledger.ts'
export type { AccountSnapshot, RequestOutcome, ReserveInput } from './ledger/ledger.ts'
export type { RequestRecord, RequestStatus } from './ledger/request-records.ts'
export type { StoredAuthorization } from './ledger/spending-authorizations.ts'
export { auditLedger } from './ledger/audit.ts'
export {
  InsufficientCreditError, LedgerRefusal, LedgerStateError, WithdrawalRefusedError
} from './ledger/errors.ts'
export { DEFAULT_RATE, Metering, promptTokenBound } from './ledger/metering.ts'
export type { RateConfig } from './ledger/metering.ts'
export { SettlementWorker } from './settlement/worker.ts'
export type { SettlementOptions } from './settlement/worker.ts'
export type { Settlement } from './settlement/settlement.ts'
export { SettlementStore } from './settlement/store.ts'
export type { BatchStatus, StoredBatch } from './settlement/store.ts'
export { buildBatch, proofFromDump } from './settlement/batch-builder.ts'
export type { BuiltBatch, SettlementReceipt } from './settlement/batch-builder.ts'
export { MissingAuthorizationError, SettlementRevertedError } from './settlement/errors.ts'
