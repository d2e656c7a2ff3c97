import type { Db } from '../db/database.ts'
import { API_KEY_PREFIX, hashSecret, newId, newSecret } from './tokens.ts'

/** An API key as listed: never the secret, only its prefix and last four characters. */
export interface ApiKeyInfo {
  id: string
  account: string
  name: string
  /** e.g. `pk_live_…a1B2`. */
  redacted: string
  createdAt: number
  revokedAt: number | null
}

/** A freshly created key: `key` is the secret, returned this once and never stored. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string
}

interface Row {
  id: string
  account: string
  name: string
  prefix: string
  last4: string
  created_at: number
  revoked_at: number | null
}

/** API keys per account, stored as sha256 of the secret. */
export class ApiKeyStore {
  private readonly stmts

  constructor (db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO api_keys
        (id, account, name, key_hash, prefix, last4, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      byHash: db.prepare('SELECT * FROM api_keys WHERE key_hash = ?'),
      ofAccount: db.prepare('SELECT * FROM api_keys WHERE account = ? ORDER BY created_at, id'),
      revoke: db.prepare(`UPDATE api_keys SET revoked_at = ?
        WHERE id = ? AND account = ? AND revoked_at IS NULL`),
      byId: db.prepare('SELECT * FROM api_keys WHERE id = ? AND account = ?')
    }
  }

  create (account: string, name: string): CreatedApiKey {
    const key = newSecret(API_KEY_PREFIX)
    const id = newId('key')
    const createdAt = Date.now()
    const owner = account.toLowerCase()
    this.stmts.insert.run(id, owner, name, hashSecret(key), API_KEY_PREFIX, key.slice(-4),
      createdAt)
    return { ...toInfo({ id, account: owner, name, prefix: API_KEY_PREFIX,
      last4: key.slice(-4), created_at: createdAt, revoked_at: null }), key }
  }

  list (account: string): ApiKeyInfo[] {
    return (this.stmts.ofAccount.all(account.toLowerCase()) as Row[]).map(toInfo)
  }

  /** Revokes one of the account's keys; undefined when it has no key with this id. */
  revoke (account: string, id: string): ApiKeyInfo | undefined {
    const owner = account.toLowerCase()
    this.stmts.revoke.run(Date.now(), id, owner)
    const row = this.stmts.byId.get(id, owner) as Row | undefined
    return row === undefined ? undefined : toInfo(row)
  }

  /** The key a secret belongs to, revoked or not; undefined when unknown. */
  resolve (key: string): ApiKeyInfo | undefined {
    const row = this.stmts.byHash.get(hashSecret(key)) as Row | undefined
    return row === undefined ? undefined : toInfo(row)
  }
}

function toInfo (row: Row): ApiKeyInfo {
  return {
    id: row.id,
    account: row.account,
    name: row.name,
    redacted: `${row.prefix}…${row.last4}`,
    createdAt: row.created_at,
    revokedAt: row.revoked_at
  }
}
