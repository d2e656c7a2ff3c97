import type { Db } from '../db/database.ts'
import { hashSecret, newId, newSecret, SESSION_PREFIX } from './tokens.ts'

export interface Session {
  id: string
  account: string
  expiresAt: number
}

/** Sign-in sessions, stored as sha256 of their token. */
export class SessionStore {
  private readonly stmts

  constructor (db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO auth_sessions (id, token_hash, account, created_at,
        expires_at) VALUES (?, ?, ?, ?, ?)`),
      byHash: db.prepare('SELECT id, account, expires_at FROM auth_sessions WHERE token_hash = ?'),
      purge: db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?')
    }
  }

  /** Opens a session for `account` until `expiresAt` (epoch ms); returns its token. */
  create (account: string, expiresAt: number): Session & { token: string } {
    const now = Date.now()
    this.stmts.purge.run(now)
    const token = newSecret(SESSION_PREFIX)
    const id = newId('ses')
    const owner = account.toLowerCase()
    this.stmts.insert.run(id, hashSecret(token), owner, now, expiresAt)
    return { id, account: owner, expiresAt, token }
  }

  /** The session a token opened, expired or not; undefined when unknown. */
  resolve (token: string): Session | undefined {
    const row = this.stmts.byHash.get(hashSecret(token)) as
      { id: string, account: string, expires_at: number } | undefined
    return row === undefined
      ? undefined
      : { id: row.id, account: row.account, expiresAt: row.expires_at }
  }
}
