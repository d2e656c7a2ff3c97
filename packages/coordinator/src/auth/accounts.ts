import { createLogger } from '@parallelix/protocol'
import { migrate, type Db } from '../db/database.ts'
import { connectVault, type ChainConfig, type Vault } from '../chain/vault.ts'
import { loadCoordinatorAccount } from '../chain/coordinator-key.ts'
import { VaultWatcher } from '../chain/vault-watcher.ts'
import { WithdrawalApprover } from '../chain/withdrawal-approver.ts'
import { Ledger } from '../ledger/ledger.ts'
import { Metering, type RateConfig } from '../ledger/metering.ts'
import { UsageReport } from '../ledger/usage.ts'
import { WithdrawalHolds } from '../ledger/withdrawal-holds.ts'
import { ApiKeyStore } from './api-keys.ts'
import { NonceStore } from './nonces.ts'
import { AUTH_MIGRATIONS } from './schema.ts'
import { SessionStore } from './sessions.ts'
import { SignIn } from './siwe.ts'
import { SpendingAuthorizations } from './spending-authorization.ts'
import type { Address } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'

const log = createLogger('coordinator:accounts')

export const DEFAULT_SESSION_TTL_MS = 24 * 3600_000
export const DEFAULT_NONCE_TTL_MS = 10 * 60_000

export interface AccountsConfig extends RateConfig {
  db: Db
  /** The authority sign-in messages must name; read at each sign-in (the port may be 0). */
  domain: () => string
  /** The credit vault to follow; without it no deposit is ever credited. */
  chain?: ChainConfig
  /** The coordinator's Ethereum key (hex); PARALLELIX_COORDINATOR_KEY when absent. */
  coordinatorKey?: string
  sessionTtlMs?: number
  nonceTtlMs?: number
  /** How long an instant-withdrawal co-signature stays usable. */
  withdrawalTtlSeconds?: number
}

/** Everything behind accounts: sign-in, keys, the ledger, and the vault when configured. */
export interface Accounts {
  ledger: Ledger
  metering: Metering
  usage: UsageReport
  keys: ApiKeyStore
  sessions: SessionStore
  nonces: NonceStore
  signIn: SignIn
  authorizations: SpendingAuthorizations
  holds: WithdrawalHolds
  vault?: Vault
  watcher?: VaultWatcher
  withdrawals?: WithdrawalApprover
  /** The address spending authorizations must name; absent without a coordinator key. */
  coordinator?: Address
  domain: () => string
  stop: () => Promise<void>
}

/**
 * Opens the account stores on the coordinator's database, releases reservations left by a
 * previous run and starts following the vault. Call before the HTTP server listens.
 */
export async function startAccounts (config: AccountsConfig): Promise<Accounts> {
  const account: PrivateKeyAccount | undefined = loadCoordinatorAccount(config.coordinatorKey)
  const vault = config.chain === undefined ? undefined : connectVault(config.chain)
  migrate(config.db, 'auth', AUTH_MIGRATIONS)
  const ledger = await Ledger.open(config.db)
  const holds = new WithdrawalHolds(ledger)
  const nonces = new NonceStore(config.db, config.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS)

  const watcher = vault === undefined
    ? undefined
    : new VaultWatcher({ vault, ledger, holds, coordinator: account?.address })
  watcher?.start()
  log.info({ coordinator: account?.address ?? null, vault: vault?.domain.credits ?? null,
    chainId: vault?.domain.chainId ?? null }, 'accounts ready')
  if (vault === undefined || account === undefined) {
    log.warn('without a vault and a coordinator key no account can hold credit: every ' +
      'metered request will be refused with insufficient_quota')
  }

  return {
    ledger,
    metering: new Metering(config),
    usage: new UsageReport(config.db),
    keys: new ApiKeyStore(config.db),
    sessions: new SessionStore(config.db),
    nonces,
    signIn: new SignIn({
      nonces,
      domain: config.domain,
      chainId: vault?.domain.chainId,
      client: vault?.client,
      sessionTtlMs: config.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS
    }),
    authorizations: new SpendingAuthorizations(ledger, vault, account?.address),
    holds,
    vault,
    watcher,
    withdrawals: vault === undefined || account === undefined
      ? undefined
      : new WithdrawalApprover(vault, account, holds, config.withdrawalTtlSeconds),
    coordinator: account?.address,
    domain: config.domain,
    stop: async () => { await watcher?.stop() }
  }
}
