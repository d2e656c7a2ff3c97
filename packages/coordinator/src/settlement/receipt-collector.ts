import { createLogger } from '@parallelix/protocol'
import type { Address, Hex } from 'viem'
import type { Ledger } from '../ledger/ledger.ts'
import type { LedgerBatch } from '../ledger/batch.ts'
import type { SpotCheckStore } from '../poe/spot-check-store.ts'
import type { SettlementChain } from './settlement-chain.ts'
import type { CollectedReceipt, RunWrite, SettlementStore, StoredReceipt } from './store.ts'

const log = createLogger('coordinator:settlement')

/** Ledger rows read per pass. */
const ROWS_PER_PASS = 1_000

/** A final frame as the ledger's record keeps it; `refused` was set by the dispatcher. */
interface RecordedFrame {
  hash?: string
  usage?: { completionTokens?: number }
  receipt?: { requestId?: string, node?: string, operator?: string }
  refused?: string
}

/** What a request's charge turns into: receipts to settle, and what nobody earns. */
interface RowOutcome {
  receipts: CollectedReceipt[]
  refund: bigint
}

export interface CollectorOptions {
  ledger: Ledger
  /** What the metering charges for tokens of a model; splits a charge across segments. */
  costOf: (model: string, promptTokens: number, completionTokens: number) => bigint
  /** Refuse receipts whose operator the registry does not hold for the node (default true). */
  verifyOperators?: boolean
  /** Called once per receipt refused here, e.g. to lower the node's standing. */
  onRefused?: (node: string, reason: string) => void
  /** Held receipts wait for their spot check; receipts of caught nodes are withheld. */
  spotChecks?: SpotCheckStore
}

/**
 * Takes metered requests from the ledger's records into settlement. A request becomes one
 * receipt per segment that a node signed, each costed at the metering's rate for the
 * tokens it produced (the prompt goes with the first). A receipt is refused (with the
 * reason) when the dispatcher refused it or its operator is not the one the registry holds
 * for the node; it waits (held) while a spot check of it runs, and is withheld once a spot
 * check caught its node. Whatever part of a charge will not settle on chain (refused,
 * withheld, delivered without a receipt) is refunded to the user, so that off-chain debits
 * and on-chain settlements agree. Receipts, refunds and the cursor move in one transaction.
 */
export class ReceiptCollector {
  // Only positive answers are cached: an operator may register later, never unregister here.
  private readonly registered = new Set<string>()

  constructor (
    private readonly store: SettlementStore,
    private readonly chain: SettlementChain | undefined,
    private readonly opts: CollectorOptions
  ) {}

  /** Collects what the ledger recorded since the last pass; returns the receipts taken. */
  async collect (): Promise<number> {
    await this.applyVerdicts()
    const rows = this.store.ledgerRowsAfterCursor(ROWS_PER_PASS)
    if (rows.length === 0) return 0
    const collected: CollectedReceipt[] = []
    const refunds: Array<{ account: string, amount: bigint, ref: string }> = []
    for (const row of rows) {
      const { receipts, refund } = await this.fromRow(row)
      collected.push(...receipts)
      if (refund > 0n) {
        refunds.push({ account: String(row.account), amount: refund, ref: String(row.request_id) })
      }
    }
    const lastId = rows.at(-1)!.id
    await this.opts.ledger.transact((batch) => {
      for (const r of refunds) batch.entry(r.account, 'refund', r.amount, r.ref, true)
      this.store.addReceipts(collected, lastId, batch.now, runIn(batch))
    })
    for (const r of collected) {
      if (r.status !== 'refused' && r.status !== 'withheld') continue
      log.warn({ requestId: r.requestId, node: r.node, operator: r.operator, status: r.status,
        reason: r.reason }, 'receipt not settled; its charge is refunded')
    }
    return collected.length
  }

  /**
   * Releases held receipts whose spot check passed (or could not decide) and withholds,
   * with a refund, every unbatched receipt of a node a spot check caught.
   */
  private async applyVerdicts (): Promise<void> {
    const spot = this.opts.spotChecks
    if (spot === undefined) return
    const release: StoredReceipt[] = []
    const withhold: StoredReceipt[] = []
    for (const r of this.store.withStatus('held')) {
      const verdict = spot.status(r.requestId)
      if (verdict === 'scheduled') continue
      if (verdict === 'failed' || spot.caught(r.node)) withhold.push(r)
      else release.push(r)
    }
    for (const node of spot.caughtNodes()) {
      withhold.push(...this.store.unbatchedOfNode(node).filter((r) => r.status === 'pending'))
    }
    if (release.length === 0 && withhold.length === 0) return
    await this.opts.ledger.transact((batch) => {
      const run = runIn(batch)
      for (const r of release) this.store.setStatus(run, r.requestId, 'held', 'pending')
      for (const r of withhold) {
        if (!this.store.setStatus(run, r.requestId, r.status, 'withheld', 'spot_check_failed')) {
          continue
        }
        batch.entry(r.account, 'refund', r.cost, `withheld:${r.requestId}`, true)
      }
    })
    for (const r of withhold) {
      log.warn({ requestId: r.requestId, node: r.node, operator: r.operator,
        refunded: r.cost.toString() }, 'receipt withheld: a spot check caught its node')
    }
  }

  private async fromRow (row: Record<string, unknown>): Promise<RowOutcome> {
    const cost = BigInt(String(row.cost))
    if (cost === 0n) return { receipts: [], refund: 0n }
    const parsed = row.receipt === null ? [] : JSON.parse(String(row.receipt)) as unknown
    const frames = (Array.isArray(parsed) ? parsed : [parsed]) as RecordedFrame[]
    const model = String(row.model)
    const parentId = String(row.request_id)
    const account = String(row.account) as Address

    let promptTokens = Number(row.prompt_tokens)
    let left = cost
    const receipts: CollectedReceipt[] = []
    for (const frame of frames) {
      const { hash, receipt } = frame
      if (hash === undefined || receipt?.node === undefined || receipt.operator === undefined) {
        continue
      }
      // The prompt is paid to the first node that signed for evaluating it.
      const tokens = frame.usage?.completionTokens ?? 0
      const share = min(left, this.opts.costOf(model, promptTokens, tokens))
      promptTokens = 0
      const base = {
        requestId: receipt.requestId ?? parentId,
        parentId,
        receiptHash: hash as Hex,
        account,
        operator: receipt.operator as Address,
        node: receipt.node
      }
      if (frame.refused !== undefined) {
        receipts.push({ ...base, cost: 0n, status: 'refused', reason: frame.refused })
        continue
      }
      const refused = await this.registryRefusal(receipt.node, base.operator)
      if (refused !== undefined) {
        this.opts.onRefused?.(receipt.node, refused)
        receipts.push({ ...base, cost: 0n, status: 'refused', reason: refused })
        continue
      }
      if (this.opts.spotChecks?.caught(receipt.node) === true) {
        receipts.push({ ...base, cost: 0n, status: 'withheld', reason: 'spot_check_failed' })
        continue
      }
      const held = this.opts.spotChecks?.status(base.requestId) === 'scheduled'
      receipts.push({ ...base, cost: share, status: held ? 'held' : 'pending' })
      left -= share
    }
    return { receipts, refund: left }
  }

  /** Why the registry refuses this operator for this node, or undefined when it serves it. */
  private async registryRefusal (node: string, operator: Address): Promise<string | undefined> {
    if (this.opts.verifyOperators === false || this.chain === undefined) return undefined
    const key = `${node}:${operator.toLowerCase()}`
    if (this.registered.has(key)) return undefined
    if (!await this.chain.operatorServes(node, operator)) return 'operator_not_registered'
    this.registered.add(key)
    return undefined
  }
}

function runIn (batch: LedgerBatch): RunWrite {
  return (statement, ...params) => batch.run(statement, ...params)
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
