import type { SpendingAuthorization } from '@parallelix/contracts'
import type { Address, Hex } from 'viem'
import type { Db } from '../db/database.ts'
import type { LedgerBatch } from './batch.ts'

/** A user's signed spending authorization for this coordinator, as stored. */
export interface StoredAuthorization extends SpendingAuthorization {
  signature: Hex
  /**
   * The account's settled total when this authorization was stored. On chain, `spent`
   * restarts at zero with each authorization, so what counts against `cap` is everything
   * debited since: settled − settledBase + unsettled.
   */
  settledBase: bigint
  storedAt: number
}

interface Row {
  account: string
  coordinator: string
  cap: string
  expiry: string
  nonce: string
  signature: string
  settled_base: string
  stored_at: number
}

/**
 * The table of spending authorizations, one live one per account, read through a cache:
 * every reservation consults it, and only this store writes it.
 */
export class SpendingAuthorizationStore {
  private readonly select
  private readonly upsert
  private readonly cache = new Map<string, StoredAuthorization | null>()

  constructor (db: Db) {
    this.select = db.prepare('SELECT * FROM spending_authorizations WHERE account = ?')
    this.upsert = db.prepare(`INSERT INTO spending_authorizations
      (account, coordinator, cap, expiry, nonce, signature, settled_base, stored_at)
      VALUES (@account, @coordinator, @cap, @expiry, @nonce, @signature, @settledBase, @storedAt)
      ON CONFLICT (account) DO UPDATE SET coordinator = excluded.coordinator,
        cap = excluded.cap, expiry = excluded.expiry, nonce = excluded.nonce,
        signature = excluded.signature, settled_base = excluded.settled_base,
        stored_at = excluded.stored_at`)
  }

  get (account: string): StoredAuthorization | undefined {
    const key = account.toLowerCase()
    let auth = this.cache.get(key)
    if (auth === undefined) {
      auth = this.read(key)
      this.cache.set(key, auth)
    }
    return auth ?? undefined
  }

  private read (account: string): StoredAuthorization | null {
    const row = this.select.get(account) as Row | undefined
    if (row === undefined) return null
    return {
      user: row.account as Address,
      coordinator: row.coordinator as Address,
      cap: BigInt(row.cap),
      expiry: BigInt(row.expiry),
      nonce: BigInt(row.nonce),
      signature: row.signature as Hex,
      settledBase: BigInt(row.settled_base),
      storedAt: row.stored_at
    }
  }

  /**
   * Replaces the account's authorization; call inside a ledger transition. The cache is
   * dropped for the account rather than updated, since the transition may still roll back.
   */
  put (batch: LedgerBatch, auth: StoredAuthorization): void {
    this.cache.delete(auth.user.toLowerCase())
    batch.run(this.upsert, {
      account: auth.user.toLowerCase(),
      coordinator: auth.coordinator,
      cap: auth.cap.toString(),
      expiry: auth.expiry.toString(),
      nonce: auth.nonce.toString(),
      signature: auth.signature,
      settledBase: auth.settledBase.toString(),
      storedAt: auth.storedAt
    })
  }

  /** Forgets cached rows; after a failed commit the table may differ from the cache. */
  clear (): void {
    this.cache.clear()
  }
}
