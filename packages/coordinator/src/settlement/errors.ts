/** A settle transaction was mined but reverted, and the batch is not on chain. */
export class SettlementRevertedError extends Error {
  static override readonly name = 'SettlementRevertedError'
  override readonly name = 'SettlementRevertedError'
  readonly code = 'settlement_reverted'

  constructor (readonly batchId: string, readonly txHash: string) {
    super(`settle of batch ${batchId} reverted in ${txHash}`)
  }
}

/** A debited user has no stored spending authorization to submit before settling. */
export class MissingAuthorizationError extends Error {
  static override readonly name = 'MissingAuthorizationError'
  override readonly name = 'MissingAuthorizationError'
  readonly code = 'missing_authorization'

  constructor (readonly account: string) {
    super(`no spending authorization of ${account} is stored: its debits cannot settle`)
  }
}
