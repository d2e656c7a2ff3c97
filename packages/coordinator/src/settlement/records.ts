import type { SettlementPlan } from '@parallelix/contracts'
import type { Address, Hex } from 'viem'
import type { RunResult, Statement } from 'better-sqlite3'
import type { SettlementReceipt } from './batch-builder.ts'

/** Settlement's records as the worker and the routes read them, and their SQLite rows. */

export type BatchStatus = 'submitting' | 'submitted' | 'confirmed' | 'failed' | 'quarantined'

export type ReceiptStatus =
  'pending' | 'held' | 'batched' | 'refused' | 'withheld' | 'quarantined'

/**
 * A receipt taken from the ledger, one per segment of a request: `requestId` is the id the
 * node signed (<id>-rN for a resumed segment), `parentId` the client's request.
 */
export interface CollectedReceipt extends SettlementReceipt {
  parentId: string
  node: string
  status: 'pending' | 'held' | 'refused' | 'withheld'
  reason?: string
}

/** Runs a write inside the caller's transaction (the ledger's group commit). */
export type RunWrite = (statement: Statement, ...params: unknown[]) => RunResult

/** A receipt as the proofs route and the node's verify command read it. */
export interface StoredReceipt {
  requestId: string
  parentId: string
  receiptHash: Hex
  account: Address
  operator: Address
  node: string
  cost: bigint
  status: ReceiptStatus
  reason: string | null
  batchId: Hex | null
  leafIndex: number | null
}

/** A stored batch, as the worker and the routes read it. */
export interface StoredBatch {
  batchId: Hex
  seq: number
  root: Hex
  receiptCount: number
  plan: SettlementPlan
  tree: string
  status: BatchStatus
  txHash: Hex | null
  attempts: number
  lastError: string | null
  nextAttemptAt: number
  recorded: boolean
  createdAt: number
  confirmedAt: number | null
}

export interface BatchRow {
  batch_id: string, seq: number, root: string, receipt_count: number, plan: string,
  tree: string, status: BatchStatus, tx_hash: string | null, attempts: number,
  last_error: string | null, next_attempt_at: number, recorded: number, created_at: number,
  confirmed_at: number | null
}

export interface ReceiptRow {
  request_id: string, parent_id: string, receipt_hash: string, account: string,
  operator: string, node: string, cost: string, status: ReceiptStatus, reason: string | null,
  batch_id: string | null, leaf_index: number | null
}

export function toReceipt (r: ReceiptRow): StoredReceipt {
  return {
    requestId: r.request_id,
    parentId: r.parent_id,
    receiptHash: r.receipt_hash as Hex,
    account: r.account as Address,
    operator: r.operator as Address,
    node: r.node,
    cost: BigInt(r.cost),
    status: r.status,
    reason: r.reason,
    batchId: r.batch_id as Hex | null,
    leafIndex: r.leaf_index
  }
}

export function planJson (plan: SettlementPlan): string {
  return JSON.stringify({
    debits: plan.debits.map((d) => ({ user: d.user, amount: d.amount.toString() })),
    credits: plan.credits.map((c) => ({ operator: c.operator, amount: c.amount.toString() })),
    debited: plan.debited.toString(),
    credited: plan.credited.toString(),
    fee: plan.fee.toString()
  })
}

export function parsePlan (json: string): SettlementPlan {
  const p = JSON.parse(json) as {
    debits: Array<{ user: Address, amount: string }>
    credits: Array<{ operator: Address, amount: string }>
    debited: string, credited: string, fee: string
  }
  return {
    debits: p.debits.map((d) => ({ user: d.user, amount: BigInt(d.amount) })),
    credits: p.credits.map((c) => ({ operator: c.operator, amount: BigInt(c.amount) })),
    debited: BigInt(p.debited),
    credited: BigInt(p.credited),
    fee: BigInt(p.fee)
  }
}

export function toBatch (r: BatchRow): StoredBatch {
  return {
    batchId: r.batch_id as Hex,
    seq: r.seq,
    root: r.root as Hex,
    receiptCount: r.receipt_count,
    plan: parsePlan(r.plan),
    tree: r.tree,
    status: r.status,
    txHash: r.tx_hash as Hex | null,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    recorded: r.recorded === 1,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at
  }
}
