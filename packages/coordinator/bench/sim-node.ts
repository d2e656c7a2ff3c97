import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ADVERT_INTERVAL_MS, ADVERT_TOPIC, cancelFrameSchema, encodeMessage, hashOutput, hashPrompt,
  INFER_PROTOCOL, inferRequestSchema, MAX_ADVERT_BYTES, MAX_REQUEST_BYTES,
  MAX_RESPONSE_FRAME_BYTES, signAdvert, signReceipt,
  type AdvertBody, type FinalFrame, type InferRequest, type Receipt
} from '@parallelix/protocol'
import { createPeer, FramedStream, type Peer } from '@parallelix/protocol/mesh'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Stream } from '@libp2p/interface'

/**
 * A bench-only stand-in for an operator node: real libp2p, real signed adverts, the real
 * infer protocol with signed receipts, but tokens emitted at a fixed rate instead of by a
 * model. It lets the scheduler be measured at a scale real models cannot reach on a small
 * machine. Nothing in the product uses it.
 */
export interface SimNodeOptions {
  bootstrap: string[]
  modelId: string
  modelHash: string
  /** Tokens per second each request receives. */
  tokensPerSecond: number
  slots: number
  /** Tokens per frame; real nodes send about one, the bench batches a few to save CPU. */
  tokensPerFrame?: number
  contextSize?: number
}

export interface SimNode {
  peerId: string
  peer: Peer
  /** Requests served to completion. */
  served: () => number
  stop: () => Promise<void>
}

export async function startSimNode (options: SimNodeOptions): Promise<SimNode> {
  const operator = privateKeyToAccount(generatePrivateKey())
  const peer = await createPeer({
    privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0']
  })
  const peerId = peer.peerId.toString()
  // Many sims share 127.0.0.1 with the coordinator; gossipsub's default colocation penalty
  // would score the coordinator below the publish threshold and adverts would stop.
  const scoring = peer.services.pubsub as unknown as {
    score: { params: { IPColocationFactorWeight: number } }
  }
  scoring.score.params.IPColocationFactorWeight = 0
  // Through the DHT every sim would find and dial every other one: n² connections whose
  // upkeep would be measured instead of the scheduler. Real nodes sit on separate hosts.
  await (peer.services.dht as unknown as { stop: () => Promise<void> }).stop()
  let busy = 0
  let served = 0
  let seq = 0

  const advertise = async (): Promise<void> => {
    const body: AdvertBody = {
      v: 1,
      peerId,
      operator: operator.address,
      addrs: peer.getMultiaddrs().map(String),
      models: [{
        id: options.modelId, modelHash: options.modelHash,
        contextSize: options.contextSize ?? 4096, sizeBytes: 1
      }],
      hardware: { gpu: 'sim', devices: [], cpuCores: 1, threads: 1 },
      slots: { total: options.slots, free: Math.max(0, options.slots - busy) },
      tokensPerSecond: options.tokensPerSecond,
      draining: false,
      issuedAt: Date.now(),
      seq: seq++
    }
    const advert = await signAdvert(body, operator)
    await peer.services.pubsub.publish(ADVERT_TOPIC, encodeMessage(advert, MAX_ADVERT_BYTES))
      .catch(() => {})
  }

  await peer.handle(INFER_PROTOCOL, async (stream) => {
    if (busy >= options.slots) {
      await refuse(stream)
      return
    }
    busy++
    try {
      if (await serve(stream, options, operator, peerId)) served++
    } finally {
      busy--
    }
  }, { maxInboundStreams: 1024 })

  await Promise.all(options.bootstrap.map(async (addr) => joinGossip(peer, addr)))
  const timer = setInterval(() => { void advertise() }, ADVERT_INTERVAL_MS)
  await advertise()

  return {
    peerId,
    peer,
    served: () => served,
    stop: async () => {
      clearInterval(timer)
      await peer.stop()
    }
  }
}

const sleep = async (ms: number): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Connects to the coordinator and waits until gossip knows it subscribes to adverts, so
 * that adverts reach it. libp2p limits inbound connections per host (5 a second by
 * default) and resets the rest, and on a starved event loop the gossip stream can fail to
 * open; either way the fleet hangs up and tries again.
 */
async function joinGossip (peer: Peer, addr: string): Promise<void> {
  const ma = multiaddr(addr)
  const target = ma.getComponents().find((c) => c.name === 'p2p')?.value
  for (let attempt = 1; ; attempt++) {
    try {
      await peer.dial(ma, { signal: AbortSignal.timeout(5_000) })
      for (let i = 0; i < 30; i++) {
        const subscribers = peer.services.pubsub.getSubscribers(ADVERT_TOPIC).map(String)
        if (target === undefined || subscribers.includes(target)) return
        await sleep(100)
      }
      await peer.hangUp(ma)
    } catch (err) {
      if (attempt >= 60) throw err
    }
    await sleep(200 + Math.random() * 800)
  }
}

async function refuse (stream: Stream): Promise<void> {
  const framed = new FramedStream(stream, {
    maxInbound: MAX_REQUEST_BYTES, maxOutbound: MAX_RESPONSE_FRAME_BYTES
  })
  await framed.read(inferRequestSchema)
  await framed.write({ type: 'error', code: 'node_busy', message: 'busy', retryable: true })
  await stream.close()
}

async function serve (
  stream: Stream, options: SimNodeOptions, operator: ReturnType<typeof privateKeyToAccount>,
  peerId: string
): Promise<boolean> {
  const framed = new FramedStream(stream, {
    maxInbound: MAX_REQUEST_BYTES, maxOutbound: MAX_RESPONSE_FRAME_BYTES
  })
  const request: InferRequest = await framed.read(inferRequestSchema)
  let cancelled = false
  framed.read(cancelFrameSchema).then(() => { cancelled = true }, () => { cancelled = true })

  const perFrame = options.tokensPerFrame ?? 4
  const frameMs = (perFrame / options.tokensPerSecond) * 1000
  const startedAt = Date.now()
  const started = performance.now()
  let tokens = 0
  let text = ''
  while (tokens < request.params.maxTokens && !cancelled) {
    const n = Math.min(perFrame, request.params.maxTokens - tokens)
    // Paced against the start, so timer drift does not accumulate into slowness.
    const due = started + ((tokens + n) / perFrame) * frameMs
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
    const piece = ' tok'.repeat(n)
    text += piece
    tokens += n
    await framed.write({ type: 'token', text: piece, tokens: n })
  }

  const promptTokens = Math.ceil(JSON.stringify(request.messages).length / 4)
  const receipt: Receipt = {
    requestId: request.requestId,
    model: request.model,
    modelHash: options.modelHash,
    promptHash: hashPrompt(request),
    outputHash: hashOutput(text),
    promptTokens,
    completionTokens: tokens,
    node: peerId,
    operator: operator.address,
    startedAt,
    finishedAt: Date.now()
  }
  const { hash, signature } = await signReceipt(receipt, operator)
  await framed.write({
    type: 'final',
    finishReason: cancelled ? 'cancelled' : 'length',
    usage: { promptTokens, completionTokens: tokens },
    receipt,
    hash,
    signature
  } satisfies FinalFrame)
  await stream.close()
  return !cancelled
}
