import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../src/db/database.ts'
import { Ledger } from '../../src/ledger/ledger.ts'
import type { Address } from 'viem'

export const ALICE = '0x00000000000000000000000000000000000a11ce' as Address
export const BOB = '0x0000000000000000000000000000000000000b0b' as Address
export const COORDINATOR = '0x000000000000000000000000000000000000c0de' as Address
export const FAR_FUTURE = 2n ** 40n

export interface LedgerFixture {
  dir: string
  path: string
  db: Db
  ledger: Ledger
  /** Credits a deposit as the vault watcher would, under a unique log ref. */
  deposit: (account: string, amount: bigint) => Promise<void>
  /** Stores a spending authorization (its signature is not checked by the ledger). */
  authorize: (account: Address, cap: bigint, expiry?: bigint) => Promise<void>
  /** Closes the database and opens it again, as a restarted coordinator would. */
  reopen: () => Promise<LedgerFixture>
  close: () => Promise<void>
}

let refs = 0

/** A ledger on a real SQLite file in a fresh temporary directory. */
export async function ledgerFixture (dir?: string): Promise<LedgerFixture> {
  const home = dir ?? await mkdtemp(join(tmpdir(), 'px-ledger-'))
  const path = join(home, 'coordinator.db')
  const db = openDatabase(path)
  const ledger = await Ledger.open(db)
  const fixture: LedgerFixture = {
    dir: home,
    path,
    db,
    ledger,
    deposit: async (account, amount) => {
      await ledger.transact((batch) => {
        batch.entry(account.toLowerCase(), 'deposit', amount, `test:${refs++}`, true)
      })
    },
    authorize: async (account, cap, expiry = FAR_FUTURE) => {
      await ledger.storeAuthorization({
        user: account, coordinator: COORDINATOR, cap, expiry, nonce: 0n, signature: '0x'
      })
    },
    reopen: async () => {
      db.close()
      return ledgerFixture(home)
    },
    close: async () => {
      if (db.open) db.close()
      await rm(home, { recursive: true, force: true })
    }
  }
  return fixture
}
