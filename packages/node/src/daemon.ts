import { join } from 'node:path'
import { createLogger, INFER_PROTOCOL } from '@parallelix/protocol'
import { createPeer, loadOrCreatePeerKey, type Peer } from '@parallelix/protocol/mesh'
import { multiaddr } from '@multiformats/multiaddr'
import { Advertiser } from './advertiser.ts'
import { InferenceEngine, type GpuChoice } from './engine/engine.ts'
import { loadOrCreateOperatorKey } from './keys.ts'
import { RECEIPT_LOG_FILE, ReceiptLog } from './receipts/receipt-log.ts'
import { serveInferStream, type ServedReceipt } from './serve.ts'
import type { PrivateKeyAccount } from 'viem/accounts'

const log = createLogger('node:daemon')

/** How often the node checks that it is still connected to its bootstrap peers. */
const RECONNECT_INTERVAL_MS = 2_000

export interface NodeConfig {
  dataDir: string
  modelPath: string
  modelId: string
  bootstrap: string[]
  listen?: string[]
  threads: number
  slots: number
  contextSize?: number
  gpu?: GpuChoice
  /** Overrides the key file under dataDir. */
  operatorKey?: string
  /** Skip the start-up speed measurement and advertise this instead. */
  tokensPerSecond?: number
}

export interface RunningNode {
  peer: Peer
  engine: InferenceEngine
  operator: PrivateKeyAccount
  peerId: string
  /** Announces draining, waits for in-flight requests (bounded), then shuts down. */
  stop: (options?: { graceMs?: number }) => Promise<void>
}

/** Starts an operator node: loads the model, joins the mesh, advertises, serves. */
export async function startNode (config: NodeConfig): Promise<RunningNode> {
  const [privateKey, operator] = await Promise.all([
    loadOrCreatePeerKey(join(config.dataDir, 'peer.key')),
    loadOrCreateOperatorKey(join(config.dataDir, 'operator.key'), config.operatorKey)
  ])
  const engine = await InferenceEngine.load({
    modelPath: config.modelPath,
    modelId: config.modelId,
    threads: config.threads,
    slots: config.slots,
    contextSize: config.contextSize,
    gpu: config.gpu
  })
  const tokensPerSecond = config.tokensPerSecond ?? await engine.measureTokensPerSecond()

  const peer = await createPeer({
    privateKey,
    listen: config.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: config.bootstrap
  })
  const peerId = peer.peerId.toString()
  const advertiser = new Advertiser({ peer, engine, operator, tokensPerSecond })
  const receiptLog = await ReceiptLog.open(join(config.dataDir, RECEIPT_LOG_FILE))
  const onServed = (served: ServedReceipt): void => {
    receiptLog.append(served).catch((err: unknown) => {
      log.error({ err, requestId: served.receipt.requestId, hash: served.hash },
        'could not append the receipt to the local log')
    })
  }

  await peer.handle(INFER_PROTOCOL, async (stream, connection) => {
    const served = serveInferStream({
      engine, operator, peerId, isDraining: () => stopping !== undefined, onServed
    }, stream, connection)
    advertiser.slotsChanged()
    await served
    advertiser.slotsChanged()
  }, { maxInboundStreams: Math.max(32, config.slots * 4) })

  let stopping: Promise<void> | undefined
  const reconnect = setInterval(() => {
    void dialBootstrap(peer, config.bootstrap)
  }, RECONNECT_INTERVAL_MS)
  await dialBootstrap(peer, config.bootstrap)
  advertiser.start()
  log.info({ peerId, operator: operator.address, model: engine.model.id, tokensPerSecond,
    addrs: peer.getMultiaddrs().map(String) }, 'node serving')

  const stop = async (options: { graceMs?: number } = {}): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(reconnect)
      await advertiser.drain()
      const deadline = Date.now() + (options.graceMs ?? 10_000)
      while (engine.freeSlots < engine.totalSlots && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      advertiser.stop()
      await peer.stop()
      await engine.close()
      await receiptLog.close()
      log.info({ peerId }, 'node stopped')
    })()
    return stopping
  }

  return { peer, engine, operator, peerId, stop }
}

async function dialBootstrap (peer: Peer, addrs: string[]): Promise<void> {
  await Promise.all(addrs.map(async (addr) => {
    const ma = multiaddr(addr)
    const target = ma.getComponents().find((c) => c.name === 'p2p')?.value
    if (target !== undefined &&
        peer.getConnections().some((c) => c.remotePeer.toString() === target)) {
      return
    }
    try {
      await peer.dial(ma, { signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      log.debug({ addr, err: (err as Error).message }, 'bootstrap dial failed; will retry')
    }
  }))
}
