import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '@parallelix/protocol'
import type { Ledger } from '../ledger/ledger.ts'
import { buildBatch, type SettlementReceipt } from './batch-builder.ts'
import { MissingAuthorizationError, SettlementRevertedError } from './errors.ts'
import { ReceiptCollector, type CollectorOptions } from './receipt-collector.ts'
import { revertOf, type SettlementChain } from './settlement-chain.ts'
import type { SettlementStore, StoredBatch } from './store.ts'

const log = createLogger('coordinator:settlement')

export const DEFAULT_SETTLE_EVERY_RECEIPTS = 100
export const DEFAULT_SETTLE_INTERVAL_MS = 60_000
export const DEFAULT_SETTLE_POLL_MS = 500
export const DEFAULT_MAX_BATCH = 500
export const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000
export const DEFAULT_BACKOFF_MS = 1_000
export const MAX_BACKOFF_MS = 60_000
/** A batch whose settle the vault refused this many times is quarantined. */
export const DEFAULT_QUARANTINE_AFTER = 3

export interface SettlementOptions {
  /** A batch is built once this many receipts wait. */
  everyReceipts?: number
  /** ...or once the oldest waiting receipt is this old. */
  intervalMs?: number
  pollMs?: number
  maxBatch?: number
  /** How long one pass waits for a sent batch to confirm before looking again later. */
  confirmTimeoutMs?: number
  /** First retry delay of a failed batch; it doubles up to MAX_BACKOFF_MS. */
  backoffMs?: number
  /**
   * Attempts the vault refuses (a revert, a missing authorization; not an unreachable RPC)
   * before the batch is quarantined and its settleable receipts go into a new one.
   */
  quarantineAfter?: number
  /** Refuse receipts whose operator the registry does not hold for the node (default true). */
  verifyOperators?: boolean
  /** Called once per refused receipt, e.g. to lower the node's standing. */
  onRefused?: (node: string, reason: string) => void
}

/**
 * Settles metered receipts on chain in batches. A batch goes submitting → submitted →
 * confirmed, or to failed and back to submitting after a backoff. It is stored, with its
 * deterministic id, before anything is sent; every pass first asks the vault whether the
 * id already has a root, so a restart or a retry confirms a batch instead of paying twice
 * (the vault also refuses a repeated id). Once confirmed, the ledger records each debit.
 */
export class SettlementWorker {
  private readonly collector: ReceiptCollector
  private readonly opts: Required<Omit<SettlementOptions, 'verifyOperators' | 'onRefused'>>
  private controller?: AbortController
  private loop?: Promise<void>
  private running: Promise<unknown> = Promise.resolve()

  constructor (
    readonly store: SettlementStore,
    readonly chain: SettlementChain,
    private readonly ledger: Ledger,
    options: SettlementOptions = {},
    collector: Pick<CollectorOptions, 'costOf' | 'spotChecks'>
  ) {
    this.collector = new ReceiptCollector(store, chain, {
      ...collector,
      ledger,
      verifyOperators: options.verifyOperators,
      onRefused: options.onRefused
    })
    this.opts = {
      everyReceipts: options.everyReceipts ?? DEFAULT_SETTLE_EVERY_RECEIPTS,
      intervalMs: options.intervalMs ?? DEFAULT_SETTLE_INTERVAL_MS,
      pollMs: options.pollMs ?? DEFAULT_SETTLE_POLL_MS,
      maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
      confirmTimeoutMs: options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
      quarantineAfter: options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER
    }
  }

  start (): void {
    if (this.loop !== undefined) return
    const controller = this.controller = new AbortController()
    log.info({ everyReceipts: this.opts.everyReceipts, intervalMs: this.opts.intervalMs },
      'settlement worker started')
    this.loop = (async () => {
      while (!controller.signal.aborted) {
        await this.pass(false).catch((err: unknown) => {
          log.warn({ err: (err as Error).message }, 'settlement pass failed; retrying')
        })
        await sleep(this.opts.pollMs, undefined, { signal: controller.signal }).catch(() => {})
      }
    })()
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
  }

  /** Collects, builds a batch of whatever waits (thresholds aside) and advances every batch. */
  async settleNow (): Promise<StoredBatch[]> {
    await this.pass(true)
    return this.store.all()
  }

  private async pass (force: boolean): Promise<void> {
    // One pass at a time: two would build the same pending receipts into two batches.
    const next = this.running.then(async () => this.passOnce(force))
    this.running = next.catch(() => {})
    return next
  }

  private async passOnce (force: boolean): Promise<void> {
    await this.collector.collect()
    this.requeueReauthorized()
    await this.recordConfirmed()
    if (this.store.unfinished().length === 0 || force) await this.maybeBuild(force)
    for (const batch of this.store.unfinished()) {
      if (!force && batch.status === 'failed' && batch.nextAttemptAt > Date.now()) continue
      await this.advance(batch)
    }
    await this.recordConfirmed()
  }

  private async maybeBuild (force: boolean): Promise<void> {
    const { count, oldest } = this.store.pendingStats()
    if (count === 0) return
    const due = count >= this.opts.everyReceipts ||
      (oldest !== null && Date.now() - oldest >= this.opts.intervalMs)
    if (!due && !force) return
    const receipts = this.store.pending(this.opts.maxBatch)
    const shareBps = await this.chain.shareBps()
    const batch = buildBatch(this.chain.vault.domain, receipts, shareBps)
    this.store.saveBatch(batch, Date.now())
    log.info({ batchId: batch.batchId, receipts: receipts.length,
      debited: batch.plan.debited.toString() }, 'built a settlement batch')
  }

  /** Moves one batch as far along as the chain allows; failures schedule a retry. */
  private async advance (batch: StoredBatch): Promise<void> {
    const { batchId } = batch
    try {
      if (await this.onChain(batch)) return
      let hash = batch.txHash
      if (hash === null || !await this.chain.knows(hash)) {
        await this.authorizeDebits(batch)
        hash = await this.chain.settle(batch)
        this.store.markSubmitted(batchId, hash)
        log.info({ batchId, txHash: hash }, 'submitted a settlement batch')
      }
      const status = await this.chain.waitFor(hash, this.opts.confirmTimeoutMs)
      if (await this.onChain(batch)) return
      if (status === 'reverted') throw new SettlementRevertedError(batchId, hash)
    } catch (err) {
      // `attempts` counts failures: the first retry waits backoffMs, then it doubles.
      const attempts = batch.attempts + 1
      const delay = Math.min(MAX_BACKOFF_MS,
        this.opts.backoffMs * 2 ** Math.min(attempts - 1, 16))
      this.store.markFailed(batchId, (err as Error).message, Date.now() + delay,
        err instanceof SettlementRevertedError)
      if (isRefusal(err) && attempts >= this.opts.quarantineAfter) {
        await this.quarantine(this.store.batch(batchId)!, (err as Error).message)
        return
      }
      log.warn({ batchId, attempts, retryInMs: delay, err: (err as Error).message },
        'settlement batch failed; will retry')
    }
  }

  /**
   * Gives quarantined receipts another chance once their user signed a spending
   * authorization newer than their batch: the usual cause of a refused debit is a revoked or
   * expired one. A receipt that fails again is quarantined again, in a newer batch.
   */
  private requeueReauthorized (): void {
    const seen = new Set<string>()
    for (const r of this.store.withStatus('quarantined')) {
      if (seen.has(r.account)) continue
      seen.add(r.account)
      const auth = this.ledger.authorization(r.account)
      const batch = r.batchId === null ? undefined : this.store.batch(r.batchId)
      if (auth === undefined || batch === undefined || auth.storedAt <= batch.createdAt) continue
      const moved = this.store.requeue(r.account)
      log.info({ account: r.account, receipts: moved },
        'quarantined receipts requeued under a new spending authorization')
    }
  }

  /**
   * Quarantines a batch the vault keeps refusing, unless a transaction of it may still be
   * mined. Each user's and each operator's receipts are tried alone (as a call) to find
   * whose debits or credits the vault refuses; those stay quarantined with the reason, the
   * rest go back to pending, so one bad account no longer blocks everyone's settlement.
   */
  private async quarantine (batch: StoredBatch, error: string): Promise<void> {
    if (batch.txHash !== null && await this.chain.knows(batch.txHash)) return
    if (await this.onChain(batch)) return
    const receipts = this.store.ofBatch(batch.batchId)
    const shareBps = await this.chain.shareBps()
    const culprits = new Map<string, string>()
    const tryAlone = async (group: SettlementReceipt[], reason: () => Promise<string | null>) => {
      const why = await reason()
      if (why !== null) for (const r of group) culprits.set(r.requestId, why)
    }
    for (const group of groupBy(receipts, (r) => r.account)) {
      await tryAlone(group, async () => {
        const auth = this.ledger.authorization(group[0]!.account)
        if (auth === undefined) return 'missing_authorization'
        await this.chain.ensureAuthorized(auth).catch(() => null)
        return this.simulateAlone(group, shareBps)
      })
    }
    const rest = receipts.filter((r) => !culprits.has(r.requestId))
    for (const group of groupBy(rest, (r) => r.operator)) {
      await tryAlone(group, async () => this.simulateAlone(group, shareBps))
    }
    // Nobody alone explains it: the batch as a whole is what the vault refuses.
    if (culprits.size === 0) for (const r of receipts) culprits.set(r.requestId, error)
    this.store.quarantine(batch.batchId, culprits)
    log.error({ batchId: batch.batchId, attempts: batch.attempts, quarantined: culprits.size,
      requeued: receipts.length - culprits.size, reasons: [...new Set(culprits.values())] },
    'settlement batch quarantined: the vault refuses it')
  }

  /** Whether the vault would settle these receipts as a batch of their own (null) or why not. */
  private async simulateAlone (receipts: SettlementReceipt[], shareBps: bigint) {
    const built = buildBatch(this.chain.vault.domain, receipts, shareBps)
    return this.chain.simulate({ ...built, receiptCount: receipts.length })
  }

  /** Confirms the batch if the vault holds its root; the root is the proof it settled. */
  private async onChain (batch: StoredBatch): Promise<boolean> {
    const root = await this.chain.batchRoot(batch.batchId)
    if (BigInt(root) === 0n) return false
    if (root.toLowerCase() !== batch.root.toLowerCase()) {
      throw new Error(`batch ${batch.batchId} holds root ${root} on chain, not ${batch.root}`)
    }
    this.store.markConfirmed(batch.batchId, Date.now())
    log.info({ batchId: batch.batchId, receipts: batch.receiptCount,
      debited: batch.plan.debited.toString() }, 'settlement batch confirmed')
    return true
  }

  private async authorizeDebits (batch: StoredBatch): Promise<void> {
    for (const { user } of batch.plan.debits) {
      const auth = this.ledger.authorization(user)
      if (auth === undefined) throw new MissingAuthorizationError(user)
      const hash = await this.chain.ensureAuthorized(auth)
      if (hash !== null) log.info({ account: user, txHash: hash }, 'submitted an authorization')
    }
  }

  private async recordConfirmed (): Promise<void> {
    for (const batch of this.store.unrecorded()) {
      for (const { user, amount } of batch.plan.debits) {
        await this.ledger.recordSettlement(user, amount, batch.batchId)
      }
      this.store.markRecorded(batch.batchId)
    }
  }
}

/** An error that says the vault refuses the batch, as opposed to the chain being unreachable. */
function isRefusal (err: unknown): boolean {
  if (err instanceof SettlementRevertedError || err instanceof MissingAuthorizationError) {
    return true
  }
  return revertOf(err) !== undefined
}

function groupBy<T> (items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item).toLowerCase()
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [item])
    else group.push(item)
  }
  return [...groups.values()]
}
