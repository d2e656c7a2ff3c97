import { setTimeout as sleep } from 'node:timers/promises'
import { creditsAbi } from '@parallelix/contracts'
import { createLogger } from '@parallelix/protocol'
import { applyVaultEvents, type VaultEvent } from '../ledger/vault-events.ts'
import type { Address } from 'viem'
import type { Ledger } from '../ledger/ledger.ts'
import type { WithdrawalHolds } from '../ledger/withdrawal-holds.ts'
import type { Vault } from './vault.ts'

const log = createLogger('coordinator:vault')

/** Blocks per eth_getLogs call: providers commonly cap ranges near 10,000. */
const MAX_BLOCK_RANGE = 5_000n

export interface VaultWatcherOptions {
  vault: Vault
  ledger: Ledger
  holds: WithdrawalHolds
  /** This coordinator's address, to recognize withdrawals it co-signed. */
  coordinator?: Address
}

/**
 * Follows the vault's logs: deposits become credit, withdrawals leave, once each log has
 * the configured confirmations. Each range of blocks is applied in one ledger transition
 * together with the cursor, so after a restart it resumes after the last block applied and
 * a log is never counted twice.
 */
export class VaultWatcher {
  private readonly cursorName: string
  private readonly stmts
  private controller?: AbortController
  private loop?: Promise<void>
  private polling: Promise<unknown> = Promise.resolve()

  constructor (private readonly opts: VaultWatcherOptions) {
    const { domain } = opts.vault
    this.cursorName = `vault:${domain.chainId}:${domain.credits.toLowerCase()}`
    const db = opts.ledger.db
    this.stmts = {
      read: db.prepare('SELECT block FROM chain_cursors WHERE name = ?').pluck(),
      write: db.prepare(`INSERT INTO chain_cursors (name, block, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET block = excluded.block,
          updated_at = excluded.updated_at`)
    }
  }

  /** The last block whose logs are applied. */
  get cursor (): bigint {
    const stored = this.stmts.read.get(this.cursorName) as string | undefined
    return stored === undefined ? this.opts.vault.config.fromBlock - 1n : BigInt(stored)
  }

  start (): void {
    if (this.loop !== undefined) return
    const controller = this.controller = new AbortController()
    const { pollIntervalMs } = this.opts.vault.config
    this.loop = (async () => {
      while (!controller.signal.aborted) {
        try {
          await this.poll()
        } catch (err) {
          if (controller.signal.aborted) break
          log.warn({ err: (err as Error).message }, 'vault poll failed; retrying')
        }
        await sleep(pollIntervalMs, undefined, { signal: controller.signal }).catch(() => {})
      }
    })()
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
  }

  /** Applies every log confirmed by now; returns the last block applied. */
  async poll (): Promise<bigint> {
    // One poll at a time: two would read the same cursor and apply the same range.
    const next = this.polling.then(async () => this.pollOnce())
    this.polling = next.catch(() => {})
    return next
  }

  private async pollOnce (): Promise<bigint> {
    const { client, config } = this.opts.vault
    const head = await client.getBlockNumber({ cacheTime: 0 })
    const safe = head - BigInt(config.confirmations - 1)
    for (let from = this.cursor + 1n; from <= safe; from = this.cursor + 1n) {
      const to = from + MAX_BLOCK_RANGE - 1n < safe ? from + MAX_BLOCK_RANGE - 1n : safe
      const logs = await client.getContractEvents({
        address: config.credits, abi: creditsAbi, fromBlock: from, toBlock: to, strict: true
      })
      const events = logs.flatMap((l) => toVaultEvent(config.chainId, l) ?? [])
      const expiry = this.opts.holds.hasInstant()
        ? Number((await client.getBlock({ blockNumber: to })).timestamp)
        : undefined

      const applied = await this.opts.ledger.transact((batch) => {
        const n = applyVaultEvents(batch, this.opts.holds, events,
          this.opts.coordinator?.toLowerCase() ?? null)
        if (expiry !== undefined) this.opts.holds.releaseExpired(batch, expiry)
        batch.run(this.stmts.write, this.cursorName, to.toString(), batch.now)
        return n
      })
      if (applied > 0) {
        log.info({ from: Number(from), to: Number(to), applied }, 'applied vault events')
      }
    }
    return this.cursor
  }
}

interface VaultLog {
  eventName: string
  args: unknown
  transactionHash: string | null
  logIndex: number | null
}

function toVaultEvent (chainId: number, l: VaultLog): VaultEvent | undefined {
  const ref = `${chainId}:${l.transactionHash}:${l.logIndex}`
  const a = l.args as Record<string, unknown>
  const user = String(a.user)
  switch (l.eventName) {
    case 'Deposited':
      return { kind: 'deposited', ref, user, amount: a.amount as bigint }
    case 'Withdrawn':
      return { kind: 'withdrawn', ref, user, amount: a.amount as bigint,
        coordinator: String(a.coordinator), nonce: a.nonce as bigint }
    case 'WithdrawalRequested':
      return { kind: 'withdrawal_requested', ref, user, amount: a.amount as bigint }
    case 'WithdrawalCancelled':
      return { kind: 'withdrawal_cancelled', ref, user }
    case 'WithdrawalExecuted':
      return { kind: 'withdrawal_executed', ref, user, paid: a.paid as bigint }
    default:
      return undefined
  }
}
