import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { INFER_PROTOCOL } from '@parallelix/protocol'
import { createPeer, loadOrCreatePeerKey, type Peer } from '@parallelix/protocol/mesh'
import {
  InferenceEngine, type GenerateInput, type GenerateOptions, type GenerateResult
} from '@parallelix/node'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { Advertiser } from '../../../node/src/advertiser.ts'
import { serveInferStream } from '../../../node/src/serve.ts'
import type { Address } from 'viem'
import type { DevnetChain } from '../../../../scripts/lib/devnet-chain.ts'

/**
 * The one lie a dishonest node tells:
 * - `wrong_key` advertises with its registered operator key but signs receipts with another;
 * - `altered_output` relays upper-cased text while its receipt hashes the text it generated;
 * - `inflated_tokens` signs a receipt claiming three more completion tokens than it relayed.
 */
export type Fault = 'wrong_key' | 'altered_output' | 'inflated_tokens'

export interface DishonestNodeOptions {
  fault: Fault
  chain: DevnetChain
  /** The devnet operator account (`chain.operatorKey(i)`) registered for this node. */
  operatorIndex: number
  /** The coordinator's multiaddrs. */
  bootstrap: string[]
  modelPath: string
  modelId: string
  /** Where the node keeps its peer key. */
  dataDir: string
  /** Advertised speed; measured on the model when absent. */
  tokensPerSecond?: number
}

export interface DishonestNode {
  peerId: string
  /** The operator the node advertises, registered on chain under `peerId`. */
  operator: Address
  stop: () => Promise<void>
}

/**
 * Starts, in this process, an operator node made of the real parts the daemon uses (the
 * libp2p peer, node-llama-cpp engine, advertiser and stream handler) and registers its
 * operator on chain under its peer id, so that the injected fault is its only flaw.
 */
export async function startDishonestNode (opts: DishonestNodeOptions): Promise<DishonestNode> {
  const operator = privateKeyToAccount(opts.chain.operatorKey(opts.operatorIndex))
  const signer = opts.fault === 'wrong_key' ? privateKeyToAccount(generatePrivateKey()) : operator

  const engine = await InferenceEngine.load({
    modelPath: opts.modelPath, modelId: opts.modelId, threads: 1, slots: 1, contextSize: 256
  })
  let peer: Peer | undefined
  try {
    const tokensPerSecond = opts.tokensPerSecond ?? await engine.measureTokensPerSecond()
    peer = await createPeer({
      privateKey: await loadOrCreatePeerKey(join(opts.dataDir, 'peer.key')),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: opts.bootstrap
    })
    const peerId = peer.peerId.toString()
    await opts.chain.registerOperator(opts.operatorIndex, peerId)

    const served = withFault(engine, opts.fault)
    const advertiser = new Advertiser({ peer, engine: served, operator, tokensPerSecond })
    let stopping = false
    await peer.handle(INFER_PROTOCOL, async (stream, connection) => {
      const serving = serveInferStream({
        engine: served, operator: signer, peerId, isDraining: () => stopping
      }, stream, connection)
      void advertiser.publish()
      await serving
      void advertiser.publish()
    }, { maxInboundStreams: 32 })
    await dialAny(peer, opts.bootstrap)
    advertiser.start()

    const running = peer
    return {
      peerId,
      operator: operator.address,
      stop: async () => {
        stopping = true
        await advertiser.drain()
        advertiser.stop()
        await running.stop()
        await engine.close()
      }
    }
  } catch (err) {
    await peer?.stop()
    await engine.close()
    throw err
  }
}

/** The engine as the fault sees it: `generate` lies, everything else is the real engine. */
function withFault (engine: InferenceEngine, fault: Fault): InferenceEngine {
  if (fault === 'wrong_key') return engine
  const generate = async (
    input: GenerateInput, options: GenerateOptions = {}
  ): Promise<GenerateResult> => {
    if (fault === 'altered_output') {
      const { onText } = options
      return engine.generate(input, {
        ...options,
        onText: (text, tokens) => { onText?.(text.toUpperCase(), tokens) }
      })
    }
    const result = await engine.generate(input, options)
    return { ...result, completionTokens: result.completionTokens + 3 }
  }
  return new Proxy(engine, {
    get (target, prop) {
      if (prop === 'generate') return generate
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** Connects to the coordinator through any of its addresses. */
async function dialAny (peer: Peer, addrs: string[]): Promise<void> {
  await Promise.any(addrs.map(async (addr) => {
    await peer.dial(multiaddr(addr), { signal: AbortSignal.timeout(5_000) })
  }))
}
