import { join } from 'node:path'
import { createLogger } from '@parallelix/protocol'
import { createPeer, loadOrCreatePeerKey, type Peer } from '@parallelix/protocol/mesh'
import { Dispatcher } from './dispatch.ts'
import { buildHttpServer } from './http/server.ts'
import { NodeRegistry } from './mesh/registry.ts'
import { Scheduler } from './scheduler/scheduler.ts'
import type { FastifyInstance } from 'fastify'

const log = createLogger('coordinator')

export interface CoordinatorConfig {
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
}

export interface RunningCoordinator {
  peer: Peer
  peerId: string
  /** Multiaddrs nodes bootstrap to, each ending in /p2p/<peer id>. */
  multiaddrs: string[]
  /** Base URL of the OpenAI-compatible API, ending in /v1. */
  apiBase: string
  registry: NodeRegistry
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
  const scheduler = new Scheduler(registry, {
    queueTimeoutMs: config.queueTimeoutMs, maxQueue: config.maxQueue
  })
  const dispatcher = new Dispatcher(peer, registry, scheduler)
  const http = await buildHttpServer({
    registry, dispatcher, peerId, defaultMaxTokens: config.defaultMaxTokens ?? 512
  })
  const host = config.httpHost ?? '127.0.0.1'
  await http.listen({ port: config.httpPort, host })
  const address = http.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.httpPort
  const apiBase = `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`
  const multiaddrs = peer.getMultiaddrs().map(String)

  log.info({ peerId, multiaddrs, apiBase }, 'coordinator ready')
  return {
    peer,
    peerId,
    multiaddrs,
    apiBase,
    registry,
    http,
    stop: async () => {
      registry.stop()
      await http.close()
      await peer.stop()
      log.info({ peerId }, 'coordinator stopped')
    }
  }
}
