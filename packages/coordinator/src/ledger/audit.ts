import {
  applyEntry, emptyState, STATE_FIELDS, type AccountState, type EntryKind
} from './account-state.ts'
import type { Db } from '../db/database.ts'

/** A balances row that disagrees with the entries it should be the sum of. */
export interface AuditMismatch {
  account: string
  field: keyof AccountState
  stored: bigint
  fromEntries: bigint
}

/**
 * Replays every ledger entry and compares the result with the stored balances rows.
 * An empty list means the derived balances equal the sums of the entries, exactly.
 */
export function auditLedger (db: Db): AuditMismatch[] {
  const replayed = new Map<string, AccountState>()
  const entries = db.prepare('SELECT account, kind, amount, ref FROM ledger_entries ORDER BY id')
  for (const e of entries.iterate() as Iterable<EntryRow>) {
    let s = replayed.get(e.account)
    if (s === undefined) replayed.set(e.account, s = emptyState())
    applyEntry(s, e.kind, BigInt(e.amount), e.ref)
  }

  const mismatches: AuditMismatch[] = []
  const rows = db.prepare('SELECT * FROM ledger_balances').all() as Array<Record<string, string>>
  const seen = new Set<string>()
  for (const row of rows) {
    const account = row.account!
    seen.add(account)
    const fromEntries = replayed.get(account) ?? emptyState()
    for (const field of STATE_FIELDS) {
      const stored = BigInt(row[field]!)
      if (stored !== fromEntries[field]) {
        mismatches.push({ account, field, stored, fromEntries: fromEntries[field] })
      }
    }
  }
  for (const [account, s] of replayed) {
    if (seen.has(account)) continue
    for (const field of STATE_FIELDS) {
      if (s[field] !== 0n) mismatches.push({ account, field, stored: 0n, fromEntries: s[field] })
    }
  }
  return mismatches
}

interface EntryRow { account: string, kind: EntryKind, amount: string, ref: string }
