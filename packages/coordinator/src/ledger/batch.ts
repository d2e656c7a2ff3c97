import {
  applyEntry, emptyState, STATE_FIELDS, type AccountState, type EntryKind
} from './account-state.ts'
import { rollupStatements, UsageRollup, type UsageLine } from './usage-rollup.ts'
import type { Db } from '../db/database.ts'
import type { RunResult, Statement } from 'better-sqlite3'
import type { BatchContext } from './commit-queue.ts'

const ENTRY_KINDS = new Set<string>(
  ['deposit', 'reserve', 'debit', 'release', 'withdrawal', 'settlement', 'refund'])

interface JournalLine { account: string, kind: EntryKind, amount: bigint, ref: string }

/** Prepared statements a batch uses; made once per ledger. */
export function batchStatements (db: Db) {
  return {
    insertEntry: db.prepare(`INSERT INTO ledger_entries (account, kind, amount, ref, created_at)
      VALUES (?, ?, ?, ?, ?)`),
    insertOnce: db.prepare('INSERT INTO ledger_once (key) VALUES (?) ON CONFLICT DO NOTHING'),
    selectBalance: db.prepare('SELECT * FROM ledger_balances WHERE account = ?'),
    upsertBalance: db.prepare(`INSERT INTO ledger_balances
      (account, balance, reserved, held, unsettled, spent, settled, updated_at)
      VALUES (@account, @balance, @reserved, @held, @unsettled, @spent, @settled, @updatedAt)
      ON CONFLICT (account) DO UPDATE SET balance = excluded.balance,
        reserved = excluded.reserved, held = excluded.held, unsettled = excluded.unsettled,
        spent = excluded.spent, settled = excluded.settled, updated_at = excluded.updated_at`),
    rollup: rollupStatements(db)
  }
}

type Statements = ReturnType<typeof batchStatements>

/** Reads an account's stored balances row; all zero when it has none yet. */
export function readState (stmts: Statements, account: string): AccountState {
  const row = stmts.selectBalance.get(account) as Record<string, string> | undefined
  const state = emptyState()
  if (row === undefined) return state
  for (const field of STATE_FIELDS) state[field] = BigInt(row[field]!)
  return state
}

/**
 * The working state of one group commit. Transitions write entries through `entry`, which
 * journals them, any other row through `run`, and usage through `usage`. A transition's
 * journal reaches the account states and the usage rollup only once it succeeded; each
 * touched account's balances row and usage bucket is written once at the end.
 */
export class LedgerBatch implements BatchContext {
  readonly now = Date.now()
  private readonly states = new Map<string, AccountState>()
  private readonly dirty = new Set<string>()
  private journal: JournalLine[] = []
  private usageLines: UsageLine[] = []
  private writes = 0
  private readonly rollup: UsageRollup

  constructor (private readonly stmts: Statements) {
    this.rollup = new UsageRollup(stmts.rollup)
  }

  /** Counts a closed request in its account's hourly usage. */
  usage (line: UsageLine): void {
    this.usageLines.push(line)
  }

  get wrote (): boolean {
    return this.writes > 0
  }

  /** Runs a write of the current transition that is not an entry (a record, a hold). */
  run (statement: Statement, ...params: unknown[]): RunResult {
    this.writes++
    return statement.run(...params)
  }

  /** The account's state as committed by earlier transitions (not this one's entries). */
  state (account: string): AccountState {
    return { ...this.load(account) }
  }

  private load (account: string): AccountState {
    let s = this.states.get(account)
    if (s === undefined) {
      s = readState(this.stmts, account)
      this.states.set(account, s)
    }
    return s
  }

  /**
   * Appends an entry (none for a zero amount). With `once`, an entry with the same kind,
   * account and ref recorded before makes this a no-op that returns false.
   */
  entry (account: string, kind: EntryKind, amount: bigint, ref: string, once = false): boolean {
    if (amount < 0n) throw new RangeError(`negative ${kind} amount ${amount}`)
    if (!ENTRY_KINDS.has(kind)) throw new RangeError(`unknown entry kind ${kind}`)
    if (once && this.run(this.stmts.insertOnce, `${kind}:${account}:${ref}`).changes === 0) {
      return false
    }
    if (amount === 0n) return true
    this.run(this.stmts.insertEntry, account, kind, amount.toString(), ref, this.now)
    this.load(account)
    this.journal.push({ account, kind, amount, ref })
    return true
  }

  commitTransition (): void {
    for (const line of this.journal) {
      applyEntry(this.states.get(line.account)!, line.kind, line.amount, line.ref)
      this.dirty.add(line.account)
    }
    for (const line of this.usageLines) this.rollup.add(line)
    this.abortTransition()
  }

  abortTransition (): void {
    this.journal = []
    this.usageLines = []
    this.writes = 0
  }

  finish (): void {
    this.rollup.write()
    for (const account of this.dirty) {
      const s = this.states.get(account)!
      this.stmts.upsertBalance.run({
        account,
        balance: s.balance.toString(),
        reserved: s.reserved.toString(),
        held: s.held.toString(),
        unsettled: s.unsettled.toString(),
        spent: s.spent.toString(),
        settled: s.settled.toString(),
        updatedAt: this.now
      })
    }
  }
}
