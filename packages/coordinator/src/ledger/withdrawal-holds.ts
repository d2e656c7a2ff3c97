import { randomBytes } from 'node:crypto'
import type { Hex } from 'viem'
import { availableOf, HOLD_REF_PREFIX } from './account-state.ts'
import { WithdrawalRefusedError } from './errors.ts'
import type { Db } from '../db/database.ts'
import type { LedgerBatch } from './batch.ts'
import type { Ledger } from './ledger.ts'

/** An instant withdrawal the coordinator co-signed and holds credit for. */
export interface InstantHold {
  id: string
  account: string
  amount: bigint
  nonce: bigint
  /** Unix seconds after which the co-signature is void. */
  deadline: number
  signature: Hex
}

interface HoldRow {
  id: string
  account: string
  kind: 'instant' | 'delayed'
  amount: string
  nonce: string | null
  deadline: number | null
}

/**
 * Credit held against withdrawals: an instant one this coordinator co-signed, until the
 * chain shows it or its deadline passes; a delayed one the user requested on chain, until
 * it is executed or cancelled. Held credit can be neither reserved nor co-signed again.
 */
export class WithdrawalHolds {
  private readonly stmts

  constructor (private readonly ledger: Ledger, db: Db = ledger.db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO ledger_holds
        (id, account, kind, amount, nonce, deadline, signature, created_at)
        VALUES (@id, @account, @kind, @amount, @nonce, @deadline, @signature, @createdAt)`),
      remove: db.prepare('DELETE FROM ledger_holds WHERE id = ?'),
      openOf: db.prepare('SELECT * FROM ledger_holds WHERE account = ? AND kind = ?'),
      instantByNonce: db.prepare(`SELECT * FROM ledger_holds
        WHERE account = ? AND kind = 'instant' AND nonce = ?`),
      expired: db.prepare(`SELECT * FROM ledger_holds
        WHERE kind = 'instant' AND deadline < ?`),
      instantCount: db.prepare("SELECT COUNT(*) FROM ledger_holds WHERE kind = 'instant'")
        .pluck()
    }
  }

  /**
   * Holds `amount` for a co-signed instant withdrawal, or throws WithdrawalRefusedError
   * when it exceeds what is available or another co-signature is still outstanding.
   */
  async holdInstant (hold: Omit<InstantHold, 'id'>): Promise<InstantHold> {
    const account = hold.account.toLowerCase()
    return this.ledger.transact((batch) => {
      const pending = this.stmts.openOf.get(account, 'instant') as HoldRow | undefined
      if (pending !== undefined) {
        throw new WithdrawalRefusedError('withdrawal_pending', 'An instant withdrawal of ' +
          `${pending.amount} is already co-signed until ${pending.deadline}: use it or ` +
          'wait for its deadline')
      }
      const available = availableOf(batch.state(account))
      if (hold.amount > available) {
        throw new WithdrawalRefusedError('withdrawal_exceeds_available',
          `Cannot co-sign a withdrawal of ${hold.amount}: ${available < 0n ? 0n : available} ` +
          'is available (balance less reservations, unsettled usage and pending withdrawals)')
      }
      const id = `hold_${randomBytes(12).toString('base64url')}`
      batch.run(this.stmts.insert, {
        id, account, kind: 'instant', amount: hold.amount.toString(),
        nonce: hold.nonce.toString(), deadline: hold.deadline, signature: hold.signature,
        createdAt: batch.now
      })
      batch.entry(account, 'reserve', hold.amount, HOLD_REF_PREFIX + id)
      return { ...hold, id, account }
    })
  }

  /** Inside a transition: the co-signed withdrawal with `nonce` was executed on chain. */
  releaseInstant (batch: LedgerBatch, account: string, nonce: bigint): void {
    const row = this.stmts.instantByNonce.get(account, nonce.toString()) as HoldRow | undefined
    if (row !== undefined) this.release(batch, row)
  }

  /** Inside a transition: replaces the account's delayed-withdrawal hold. */
  holdDelayed (batch: LedgerBatch, account: string, amount: bigint, ref: string): void {
    this.releaseDelayed(batch, account)
    const id = `delayed:${ref}`
    batch.run(this.stmts.insert, {
      id, account, kind: 'delayed', amount: amount.toString(), nonce: null, deadline: null,
      signature: null, createdAt: batch.now
    })
    batch.entry(account, 'reserve', amount, HOLD_REF_PREFIX + id)
  }

  /** Inside a transition: the account's delayed withdrawal was executed or cancelled. */
  releaseDelayed (batch: LedgerBatch, account: string): void {
    const row = this.stmts.openOf.get(account, 'delayed') as HoldRow | undefined
    if (row !== undefined) this.release(batch, row)
  }

  /**
   * Inside a transition: releases co-signed holds whose deadline is before `seconds`, the
   * timestamp of a block whose logs were all applied, so none of them can still execute.
   */
  releaseExpired (batch: LedgerBatch, seconds: number): number {
    const rows = this.stmts.expired.all(seconds) as HoldRow[]
    for (const row of rows) this.release(batch, row)
    return rows.length
  }

  /** Whether any co-signed hold is outstanding (so expiry needs a block timestamp). */
  hasInstant (): boolean {
    return (this.stmts.instantCount.get() as number) > 0
  }

  private release (batch: LedgerBatch, row: HoldRow): void {
    batch.entry(row.account, 'release', BigInt(row.amount), HOLD_REF_PREFIX + row.id)
    batch.run(this.stmts.remove, row.id)
  }
}
