import { join } from 'node:path'
import { createLogger } from '@parallelix/protocol'
import { createPeer, loadOrCreatePeerKey, type Peer } from '@parallelix/protocol/mesh'
import { loadOrCreateOperatorKey } from '@parallelix/node'
import { startAccounts, type Accounts } from './auth/accounts.ts'
import { BatchRunner } from './batch/runner.ts'
import { BatchService } from './batch/service.ts'
import { BatchStore } from './batch/store.ts'
import { openDatabase, type Db } from './db/database.ts'
import { Dispatcher, type FailoverOptions } from './dispatch.ts'
import { FallbackServer, type FallbackConfig } from './fallback/fallback-server.ts'
import { buildHttpServer } from './http/server.ts'
import { LivenessMonitor, type LivenessOptions } from './mesh/liveness.ts'
import { NodeRegistry } from './mesh/registry.ts'
import { Scheduler } from './scheduler/scheduler.ts'
import { Metering, type RateConfig } from './ledger/metering.ts'
import { RequestMeter, type Payer } from './ledger/request-meter.ts'
import type { FastifyInstance } from 'fastify'
import type { ConsoleRouteOptions } from './http/routes/console.ts'
import type { ChainConfig } from './chain/vault.ts'
import { startSettlement, type Settlement } from './settlement/settlement.ts'
import type { SettlementOptions } from './settlement/worker.ts'
import { lowerStanding } from './settlement/standing.ts'
import { SpotCheckStore } from './poe/spot-check-store.ts'
import { SpotChecker, type SpotCheckOptions } from './poe/spot-checker.ts'

const log = createLogger('coordinator')

export interface CoordinatorConfig extends RateConfig {
  dataDir: string
  /** HTTP port; 0 picks a free one. */
  httpPort: number
  httpHost?: string
  /** libp2p listen addresses. */
  listen?: string[]
  /** max_tokens when a request gives none. */
  defaultMaxTokens?: number
  queueTimeoutMs?: number
  maxQueue?: number
  /** How long a silent node stays in the pool. */
  advertTtlMs?: number
  /** Pings that evict a frozen node within seconds; false relies on adverts and disconnects. */
  liveness?: LivenessOptions | false
  /** Stall timeouts and retry limits of failover between nodes. */
  failover?: FailoverOptions
  /** Serves on the coordinator's own hardware when no node can; absent or false: never. */
  fallback?: FallbackConfig | false
  /** The coordinator's SQLite database; <dataDir>/coordinator.db is opened when absent. */
  database?: Db
  /**
   * Accounts, API keys and metered credit (default true). False turns auth off: every
   * route is open and nothing is charged; for tests of other areas only.
   */
  auth?: boolean
  /** The authority sign-in messages must name; the HTTP host:port when absent. */
  siweDomain?: string
  /** The credit vault whose deposits become credit; without it nobody has any. */
  chain?: ChainConfig
  /** Hex key with the vault's COORDINATOR_ROLE; PARALLELIX_COORDINATOR_KEY when absent. */
  coordinatorKey?: string
  /** How long a sign-in session lasts at most (default 24 h). */
  sessionTtlMs?: number
  /** The browser console at `/`; its `devWallet` is for a devnet only. */
  console?: ConsoleRouteOptions
  /** Batches metered receipts onto the vault (needs `chain` and a key); false: never. */
  settlement?: SettlementOptions | false
  /** Replays a share of deterministic requests on other hardware; absent or false: never. */
  spotChecks?: SpotCheckOptions | false
}

export interface RunningCoordinator {
  peer: Peer
  peerId: string
  /** Multiaddrs nodes bootstrap to, each ending in /p2p/<peer id>. */
  multiaddrs: string[]
  /** Base URL of the OpenAI-compatible API, ending in /v1. */
  apiBase: string
  registry: NodeRegistry
  scheduler: Scheduler
  dispatcher: Dispatcher
  batches: BatchService
  /** Present when a fallback is configured. */
  fallback?: FallbackServer
  database: Db
  /** Sign-in, keys, ledger and vault; absent when auth is off. */
  accounts?: Accounts
  /** Receipt batches and their on-chain settlement. */
  settlement: Settlement
  /** Spot checks and their verdicts. */
  spotChecks: SpotCheckStore
  http: FastifyInstance
  stop: () => Promise<void>
}

/** Starts the coordinator: a libp2p peer tracking the pool and the HTTP API in front of it. */
export async function startCoordinator (config: CoordinatorConfig): Promise<RunningCoordinator> {
  const privateKey = await loadOrCreatePeerKey(join(config.dataDir, 'peer.key'))
  const peer = await createPeer({
    privateKey,
    listen: config.listen ?? ['/ip4/127.0.0.1/tcp/0']
  })
  const peerId = peer.peerId.toString()

  const registry = new NodeRegistry(peer, { ttlMs: config.advertTtlMs })
  registry.start()
  const liveness = config.liveness === false
    ? undefined
    : new LivenessMonitor(peer, registry, config.liveness)
  liveness?.start()
  const scheduler = new Scheduler(registry, {
    queueTimeoutMs: config.queueTimeoutMs, maxQueue: config.maxQueue
  })
  const fallback = await startFallback(config)
  const database = config.database ?? openDatabase(join(config.dataDir, 'coordinator.db'))
  const spotChecks = new SpotCheckStore(database)
  let spotChecker: SpotChecker | undefined
  const dispatcher = new Dispatcher(peer, registry, scheduler, {
    ...config.failover,
    fallback,
    onReceiptRefused: (node) => { lowerStanding(scheduler, node) },
    onCompleted: (body, completion) => { spotChecker?.consider(body, completion) }
  })

  const defaultMaxTokens = config.defaultMaxTokens ?? 512
  const store = new BatchStore(database)
  const metering = new Metering(config)
  let accounts: Accounts | undefined
  const runner = new BatchRunner({
    store,
    dispatcher,
    // Batch items are metered like chat requests: reserved before dispatch, charged after.
    openMeter: async (item) => RequestMeter.open(metering, item.request, item.requestId,
      payerFor(accounts, store.ownerOf(item.batchId))),
    capacity: (model) => {
      const slots = scheduler.capable({ model, minContext: 0 })
        .reduce((n, node) => n + node.advert.slots.total, 0)
      return slots > 0 || fallback?.serves(model) !== true ? slots : fallback.slotsPerModel
    }
  })
  const batches = new BatchService({
    store,
    runner,
    defaultMaxTokens,
    knowsModel: (model) => scheduler.isKnownModel(model) || fallback?.serves(model) === true
  })
  registry.onChange(() => { runner.kick() })

  // The sign-in domain defaults to the address the API listens on, known after listen.
  let domain = config.siweDomain ?? ''
  accounts = config.auth === false
    ? undefined
    : await startAccounts({ ...config, db: database, domain: () => domain })
  runner.start()
  const settlement = startSettlement({
    db: database,
    accounts,
    coordinatorKey: config.coordinatorKey,
    options: config.settlement === false
      ? false
      : { ...config.settlement, onRefused: (node) => { lowerStanding(scheduler, node) } },
    costOf: (model, prompt, completion) => metering.cost(model, prompt, completion),
    spotChecks
  })
  if (config.spotChecks !== undefined && config.spotChecks !== false) {
    const chain = settlement.chain
    spotChecker = new SpotChecker(spotChecks, dispatcher, config.spotChecks, {
      // A caught node gets no more work from this coordinator.
      onCaught: (node) => { scheduler.setStanding(node, 0) },
      slash: chain === undefined ? undefined : async (op, bps, hash) => chain.slash(op, bps, hash)
    })
    spotChecker.start()
  }
  const http = await buildHttpServer({
    registry, dispatcher, fallback, peerId, defaultMaxTokens, batches, accounts,
    metering,
    console: config.console,
    settlement
  })
  const host = config.httpHost ?? '127.0.0.1'
  await http.listen({ port: config.httpPort, host })
  const address = http.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.httpPort
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`
  domain = config.siweDomain ?? authority
  const apiBase = `http://${authority}/v1`
  const multiaddrs = peer.getMultiaddrs().map(String)

  log.info({ peerId, multiaddrs, apiBase }, 'coordinator ready')
  return {
    peer,
    peerId,
    multiaddrs,
    apiBase,
    registry,
    scheduler,
    dispatcher,
    batches,
    fallback,
    database,
    accounts,
    settlement,
    spotChecks,
    http,
    stop: async () => {
      await spotChecker?.stop()
      await settlement.stop()
      await runner.stop()
      liveness?.stop()
      registry.stop()
      await http.close()
      await peer.stop()
      await fallback?.close()
      await accounts?.stop()
      if (config.database === undefined) database.close()
      log.info({ peerId }, 'coordinator stopped')
    }
  }
}

async function startFallback (config: CoordinatorConfig): Promise<FallbackServer | undefined> {
  if (config.fallback === undefined || config.fallback === false) return undefined
  if (config.fallback.models.length === 0) return undefined
  const operator = await loadOrCreateOperatorKey(join(config.dataDir, 'fallback-operator.key'))
  log.info({ operator: operator.address, models: config.fallback.models.map((m) => m.id) },
    'fallback configured')
  return new FallbackServer(config.fallback, {
    operator, queueTimeoutMs: config.queueTimeoutMs, maxQueue: config.maxQueue
  })
}

/** Who pays for a batch item: its batch's account, unless auth is off or it has no owner. */
function payerFor (accounts: Accounts | undefined, owner: string | undefined): Payer | undefined {
  if (accounts === undefined || owner === undefined || owner === 'anonymous') return undefined
  return { ledger: accounts.ledger, account: owner, apiKeyId: null }
}
