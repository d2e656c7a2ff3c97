import { createLogger } from '@parallelix/protocol'
import { migrate, type Db } from '../db/database.ts'
import { availableOf, type AccountState } from './account-state.ts'
import { batchStatements, LedgerBatch, readState } from './batch.ts'
import { CommitQueue } from './commit-queue.ts'
import { InsufficientCreditError, LedgerStateError } from './errors.ts'
import { RequestRecords, type RequestRecord, type RequestStatus } from './request-records.ts'
import { LEDGER_MIGRATIONS } from './schema.ts'
import {
  SpendingAuthorizationStore, type StoredAuthorization
} from './spending-authorizations.ts'

const log = createLogger('coordinator:ledger')

/**
 * New reservations stop this long before the spending authorization expires, so that the
 * debits they lead to can still be settled under it.
 */
export const AUTHORIZATION_MARGIN_SECONDS = 300n

export interface ReserveInput {
  account: string
  requestId: string
  apiKeyId: string | null
  model: string
  /** The request's maximum cost. */
  amount: bigint
}

/** How a request ended and what it consumed, as the coordinator observed it. */
export interface RequestOutcome {
  requestId: string
  status: RequestStatus
  cost: bigint
  promptTokens: number
  completionTokens: number
  node?: string
  operator?: string
  /** The node's signed receipt (receipt, hash, signature) behind the charge. */
  receipt?: unknown
}

/** An account's position plus what it may still spend. */
export interface AccountSnapshot extends AccountState {
  available: bigint
}

interface OpenReservation extends ReserveInput {
  createdAt: number
}

/**
 * The coordinator's credit ledger: append-only entries in SQLite, with each account's
 * balances row rewritten in the same transaction. Transitions go through a group commit
 * (see CommitQueue), so they are serialized: two reservations can never both take the
 * last credit, and each resolves only once durable.
 *
 * A request appends a reserve entry before dispatch, then a debit and a release entry and
 * its record when it ends. Its open reservation is known to this process only: after a
 * restart, `open` releases whatever was still reserved.
 */
export class Ledger {
  private readonly stmts
  private readonly queue: CommitQueue<LedgerBatch>
  private readonly authorizations: SpendingAuthorizationStore
  private readonly records: RequestRecords
  private readonly inflight = new Map<string, OpenReservation>()

  private constructor (readonly db: Db) {
    migrate(db, 'ledger', LEDGER_MIGRATIONS)
    this.authorizations = new SpendingAuthorizationStore(db)
    this.records = new RequestRecords(db)
    this.stmts = batchStatements(db)
    this.queue = new CommitQueue(db, () => new LedgerBatch(this.stmts), () => {
      this.authorizations.clear()
    })
  }

  /**
   * Opens the ledger on the coordinator's database and releases reservations left by a
   * previous process: call before serving, when no request of this process is in flight.
   */
  static async open (db: Db): Promise<Ledger> {
    const ledger = new Ledger(db)
    await ledger.releaseAbandoned()
    return ledger
  }

  /** Runs `transition` in the next group commit; resolves once it is durable. */
  transact<T> (transition: (batch: LedgerBatch) => T): Promise<T> {
    return this.queue.submit(transition)
  }

  /**
   * Reserves a request's maximum cost before dispatch, or throws InsufficientCreditError
   * when the balance or the spending authorization cannot cover it.
   */
  async reserve (input: ReserveInput): Promise<void> {
    const account = input.account.toLowerCase()
    const { amount, requestId } = input
    if (this.inflight.has(requestId)) throw new LedgerStateError(`${requestId} is in flight`)
    await this.transact((batch) => {
      const s = batch.state(account)
      this.checkAuthorization(account, s, amount, batch.now)
      const available = availableOf(s)
      if (amount > available) {
        throw new InsufficientCreditError('balance',
          `This request may cost up to ${amount} but your available credit is ` +
          `${available < 0n ? 0n : available}: deposit more PRLX or lower max_tokens`)
      }
      batch.entry(account, 'reserve', amount, requestId)
      return batch.now
    }).then((createdAt) => {
      this.inflight.set(requestId, { ...input, account, createdAt })
    })
  }

  /**
   * Closes a request: debits what it cost (never more than it reserved), releases the rest
   * of its reservation and records it. Returns the amount charged. If the commit fails, the
   * reservation stays held until the next start releases it.
   */
  async settle (outcome: RequestOutcome): Promise<bigint> {
    const { requestId } = outcome
    const open = this.inflight.get(requestId)
    if (open === undefined) throw new LedgerStateError(`no open reservation for ${requestId}`)
    this.inflight.delete(requestId)
    const charged = outcome.cost < open.amount ? outcome.cost : open.amount
    if (outcome.cost > open.amount) {
      log.warn({ requestId, cost: outcome.cost.toString(), reserved: open.amount.toString() },
        'cost exceeded the reservation; charged the reservation')
    }

    return this.transact((batch) => {
      batch.entry(open.account, 'debit', charged, requestId)
      batch.entry(open.account, 'release', open.amount - charged, requestId)
      this.records.insert(batch, {
        requestId,
        account: open.account,
        apiKeyId: open.apiKeyId,
        model: open.model,
        status: outcome.status,
        reserved: open.amount,
        cost: charged,
        promptTokens: outcome.promptTokens,
        completionTokens: outcome.completionTokens,
        node: outcome.node ?? null,
        operator: outcome.operator ?? null,
        receipt: outcome.receipt ?? null,
        createdAt: open.createdAt,
        finishedAt: batch.now
      })
      batch.usage({
        account: open.account,
        apiKeyId: open.apiKeyId ?? '',
        model: open.model,
        at: open.createdAt,
        promptTokens: outcome.promptTokens,
        completionTokens: outcome.completionTokens,
        cost: charged
      })
      return charged
    })
  }

  /**
   * Stores a verified spending authorization, replacing the account's previous one. What
   * was debited before counts against it once settled: settlement must submit this
   * authorization on chain before it settles anything debited after `storedAt`.
   */
  async storeAuthorization (
    auth: Omit<StoredAuthorization, 'settledBase' | 'storedAt'>
  ): Promise<StoredAuthorization> {
    return this.transact((batch) => {
      const account = auth.user.toLowerCase()
      const stored = { ...auth, settledBase: batch.state(account).settled, storedAt: batch.now }
      this.authorizations.put(batch, stored)
      return stored
    })
  }

  /** The account's live spending authorization, for settlement to submit on chain. */
  authorization (account: string): StoredAuthorization | undefined {
    return this.authorizations.get(account)
  }

  /**
   * Records that settlement batch `batchId` debited `amount` from the account on chain.
   * Recording the same batch twice for an account changes nothing.
   */
  async recordSettlement (account: string, amount: bigint, batchId: string): Promise<boolean> {
    return this.transact((batch) =>
      batch.entry(account.toLowerCase(), 'settlement', amount, batchId, true))
  }

  /** The account's committed position. */
  snapshot (account: string): AccountSnapshot {
    const s = readState(this.stmts, account.toLowerCase())
    return { ...s, available: availableOf(s) }
  }

  /** One closed request of the account, or undefined (unknown or still in flight). */
  request (account: string, requestId: string): RequestRecord | undefined {
    return this.records.get(account, requestId)
  }

  private checkAuthorization (
    account: string, s: AccountState, amount: bigint, now: number
  ): void {
    const auth = this.authorizations.get(account)
    if (auth === undefined) {
      throw new InsufficientCreditError('no_authorization',
        'No spending authorization: sign in again and sign one for this coordinator')
    }
    if (BigInt(Math.floor(now / 1000)) + AUTHORIZATION_MARGIN_SECONDS > auth.expiry) {
      throw new InsufficientCreditError('authorization_expired',
        'Your spending authorization has expired: sign in again to renew it')
    }
    const capLeft = auth.cap - (s.spent - auth.settledBase) - s.reserved
    if (amount > capLeft) {
      throw new InsufficientCreditError('cap',
        `This request may cost up to ${amount} but your spending authorization has ` +
        `${capLeft < 0n ? 0n : capLeft} left: sign a new one with a higher cap`)
    }
  }

  private async releaseAbandoned (): Promise<void> {
    const rows = this.db.prepare(
      "SELECT account, reserved FROM ledger_balances WHERE reserved <> '0'"
    ).all() as Array<{ account: string, reserved: string }>
    if (rows.length === 0) return
    await this.transact((batch) => {
      for (const row of rows) {
        batch.entry(row.account, 'release', BigInt(row.reserved), `abandoned:${batch.now}`)
      }
    })
    log.info({ accounts: rows.length }, 'released reservations left by a previous process')
  }
}
