import { createLogger } from '@parallelix/protocol'
import { isAddressEqual, type Address, type Hex } from 'viem'
import type { SettlementChain } from './settlement-chain.ts'
import type { CollectedReceipt, SettlementStore } from './store.ts'

const log = createLogger('coordinator:settlement')

/** Ledger rows read per pass. */
const ROWS_PER_PASS = 1_000

interface FinalFrameLike {
  hash?: string
  receipt?: { node?: string, operator?: string }
}

/**
 * Takes metered requests from the ledger's records into settlement: each charged request
 * with a signed receipt becomes a pending receipt, or a refused one (with the reason) when
 * its operator is not the one the registry holds for the node's peer id. The cursor and the
 * receipts move in one transaction, so a row is taken exactly once.
 */
export class ReceiptCollector {
  // Only positive answers are cached: an operator may register later, never unregister here.
  private readonly registered = new Set<string>()

  constructor (
    private readonly store: SettlementStore,
    private readonly chain: SettlementChain | undefined,
    private readonly verifyOperators = true,
    private readonly onRefused?: (node: string, reason: string) => void
  ) {}

  /** Collects what the ledger recorded since the last pass; returns the receipts taken. */
  async collect (): Promise<number> {
    const rows = this.store.ledgerRowsAfterCursor(ROWS_PER_PASS)
    if (rows.length === 0) return 0
    const collected: CollectedReceipt[] = []
    for (const row of rows) {
      const receipt = await this.fromRow(row)
      if (receipt !== undefined) collected.push(receipt)
    }
    this.store.addReceipts(collected, rows.at(-1)!.id, Date.now())
    const refused = collected.filter((r) => r.refused !== undefined)
    for (const r of refused) {
      log.warn({ requestId: r.requestId, node: r.node, operator: r.operator, reason: r.refused },
        'receipt refused for settlement')
      this.onRefused?.(r.node, r.refused!)
    }
    return collected.length
  }

  private async fromRow (row: Record<string, unknown>): Promise<CollectedReceipt | undefined> {
    const cost = BigInt(String(row.cost))
    if (cost === 0n || row.operator === null || row.receipt === null) return undefined
    const frames = JSON.parse(String(row.receipt)) as FinalFrameLike[] | FinalFrameLike
    const final = (Array.isArray(frames) ? frames : [frames]).at(-1)
    if (final?.hash === undefined || final.receipt?.node === undefined) return undefined

    const operator = String(row.operator) as Address
    const node = final.receipt.node
    const receipt: CollectedReceipt = {
      requestId: String(row.request_id),
      receiptHash: final.hash as Hex,
      account: String(row.account) as Address,
      operator,
      node,
      cost
    }
    if (final.receipt.operator === undefined ||
      !isAddressEqual(final.receipt.operator as Address, operator)) {
      return { ...receipt, refused: 'operator_mismatch' }
    }
    if (!this.verifyOperators || this.chain === undefined) return receipt
    const key = `${node}:${operator.toLowerCase()}`
    if (!this.registered.has(key)) {
      if (!await this.chain.operatorServes(node, operator)) {
        return { ...receipt, refused: 'operator_not_registered' }
      }
      this.registered.add(key)
    }
    return receipt
  }
}
