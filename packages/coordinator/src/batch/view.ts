import type { BatchCounts, BatchRecord, ItemRecord } from './store.ts'

export type BatchStatus = 'queued' | 'running' | 'completed' | 'cancelling' | 'cancelled'

/** A batch's overall status, derived from its items so that it can never disagree with them. */
export function batchStatus (batch: BatchRecord, counts: BatchCounts): BatchStatus {
  if (batch.cancelledAt !== null) return counts.running > 0 ? 'cancelling' : 'cancelled'
  if (counts.queued + counts.running === 0) return 'completed'
  return counts.queued === counts.total ? 'queued' : 'running'
}

const seconds = (ms: number | null): number | null => ms === null ? null : Math.floor(ms / 1000)

/** The batch object without items, as POST /v1/batch answers. */
export function batchSummary (batch: BatchRecord, counts: BatchCounts) {
  return {
    id: batch.id,
    object: 'batch' as const,
    model: batch.model,
    status: batchStatus(batch, counts),
    created_at: seconds(batch.createdAt),
    completed_at: seconds(batch.completedAt),
    cancelled_at: seconds(batch.cancelledAt),
    counts
  }
}

export function itemView (item: ItemRecord) {
  return {
    index: item.index,
    status: item.status,
    result: item.result,
    finish_reason: item.finishReason,
    usage: item.completionTokens === null
      ? null
      : {
          prompt_tokens: item.promptTokens ?? 0,
          completion_tokens: item.completionTokens,
          total_tokens: (item.promptTokens ?? 0) + item.completionTokens
        },
    parallelix: item.parallelix,
    error: item.error
  }
}
