import { createLogger } from '@parallelix/protocol'
import { loadCoordinatorAccount } from '../chain/coordinator-key.ts'
import type { Accounts } from '../auth/accounts.ts'
import type { Db } from '../db/database.ts'
import { SettlementChain } from './settlement-chain.ts'
import { SettlementStore } from './store.ts'
import { SettlementWorker, type SettlementOptions } from './worker.ts'
import type { CollectorOptions } from './receipt-collector.ts'

const log = createLogger('coordinator:settlement')

/** Settlement as the coordinator runs it: its store, and the worker when it can settle. */
export interface Settlement {
  store: SettlementStore
  /** Present with a vault and a coordinator key. */
  worker?: SettlementWorker
  chain?: SettlementChain
  stop: () => Promise<void>
}

export interface StartSettlementOptions {
  db: Db
  accounts?: Accounts
  coordinatorKey?: string
  options?: SettlementOptions | false
  /** How the metering prices tokens, to split a request's charge across its receipts. */
  costOf: CollectorOptions['costOf']
  spotChecks?: CollectorOptions['spotChecks']
}

/** Opens settlement's tables and starts the worker when a vault and a key are configured. */
export function startSettlement (opts: StartSettlementOptions): Settlement {
  const store = new SettlementStore(opts.db)
  const account = loadCoordinatorAccount(opts.coordinatorKey)
  const vault = opts.accounts?.vault
  if (opts.options === false || vault === undefined || account === undefined ||
    opts.accounts === undefined) {
    log.info('settlement off: it needs a vault and a coordinator key')
    return { store, stop: async () => {} }
  }
  const chain = new SettlementChain(vault, account)
  const worker = new SettlementWorker(store, chain, opts.accounts.ledger, opts.options, {
    costOf: opts.costOf, spotChecks: opts.spotChecks
  })
  worker.start()
  return { store, worker, chain, stop: async () => worker.stop() }
}
