import { generateSiweNonce } from 'viem/siwe'
import type { Db } from '../db/database.ts'

/** Sign-in nonces: issued by the coordinator, each accepted once, before it expires. */
export class NonceStore {
  private readonly stmts

  constructor (db: Db, private readonly ttlMs: number) {
    this.stmts = {
      insert: db.prepare('INSERT INTO auth_nonces (nonce, expires_at) VALUES (?, ?)'),
      consume: db.prepare('DELETE FROM auth_nonces WHERE nonce = ? AND expires_at > ?'),
      purge: db.prepare('DELETE FROM auth_nonces WHERE expires_at <= ?')
    }
  }

  issue (): { nonce: string, expiresAt: number } {
    const now = Date.now()
    this.stmts.purge.run(now)
    const nonce = generateSiweNonce()
    const expiresAt = now + this.ttlMs
    this.stmts.insert.run(nonce, expiresAt)
    return { nonce, expiresAt }
  }

  /** Spends a nonce: true the first time, while unexpired; false ever after. */
  consume (nonce: string): boolean {
    return this.stmts.consume.run(nonce, Date.now()).changes === 1
  }
}
