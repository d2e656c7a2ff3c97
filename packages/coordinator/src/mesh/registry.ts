import {
  ADVERT_MAX_SKEW_MS, ADVERT_TOPIC, ADVERT_TTL_MS, advertSchema, createLogger, decodeMessage,
  MAX_ADVERT_BYTES, verifyAdvert, type AdvertBody
} from '@parallelix/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { GossipMessage as Message, Peer } from '@parallelix/protocol/mesh'

const log = createLogger('coordinator:registry')

/** A node in the live pool: its latest verified advert plus what this coordinator sees. */
export interface PoolNode {
  peerId: string
  advert: AdvertBody
  lastSeen: number
  /** Requests this coordinator has in flight on the node. */
  inflight: number
}


export interface RegistryOptions {
  ttlMs?: number
  now?: () => number
}

/**
 * The live pool, built from signed adverts on gossip. A node leaves when its adverts stop
 * for `ttlMs`, when its last connection closes, or when it announces that it is draining.
 */
export class NodeRegistry {
  private readonly peer: Peer
  private readonly nodes = new Map<string, PoolNode>()
  /**
   * Nodes that left while requests were still leased on them. Leases hold the PoolNode
   * object, so a node that rejoins must get the same object back or its load is lost.
   */
  private readonly departed = new Map<string, PoolNode>()
  private readonly ttlMs: number
  private readonly now: () => number
  private sweeper?: NodeJS.Timeout
  private readonly listeners = new Set<() => void>()

  constructor (peer: Peer, options: RegistryOptions = {}) {
    this.peer = peer
    this.ttlMs = options.ttlMs ?? ADVERT_TTL_MS
    this.now = options.now ?? Date.now
  }

  start (): void {
    this.peer.services.pubsub.subscribe(ADVERT_TOPIC)
    this.peer.services.pubsub.addEventListener('message', this.onMessage)
    this.peer.addEventListener('peer:disconnect', this.onDisconnect)
    this.sweeper = setInterval(() => { this.sweep() }, Math.max(250, this.ttlMs / 6))
  }

  stop (): void {
    clearInterval(this.sweeper)
    this.peer.services.pubsub.removeEventListener('message', this.onMessage)
    this.peer.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  /** Live nodes, in no particular order. */
  list (): PoolNode[] {
    return [...this.nodes.values()]
  }

  get (peerId: string): PoolNode | undefined {
    return this.nodes.get(peerId)
  }

  /** Calls `listener` whenever the pool changes (a node joins, leaves or re-advertises). */
  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Removes a node at once, e.g. after its stream failed. It returns with its next advert. */
  evict (peerId: string, reason: string): void {
    const node = this.nodes.get(peerId)
    if (node === undefined) return
    this.nodes.delete(peerId)
    if (node.inflight > 0) this.departed.set(peerId, node)
    log.info({ peerId, reason }, 'node left the pool')
    this.changed()
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail
    if (msg.topic !== ADVERT_TOPIC) return
    this.ingest(msg).catch((err: Error) => {
      log.warn({ from: msg.type === 'signed' ? msg.from.toString() : undefined,
        reason: err.message }, 'advert refused')
    })
  }

  private async ingest (msg: Message): Promise<void> {
    if (msg.type !== 'signed') throw new Error('unsigned gossip message')
    const advert = decodeMessage(msg.data, advertSchema, MAX_ADVERT_BYTES)
    const body = advert.body
    const from = msg.from.toString()
    if (body.peerId !== from) {
      throw new Error(`advert for ${body.peerId} was sent by ${from}`)
    }
    if (body.issuedAt > this.now() + ADVERT_MAX_SKEW_MS) {
      throw new Error('advert is dated in the future')
    }
    await verifyAdvert(advert)
    // An advert still in flight when its node's connection dropped must not bring it back.
    if (this.peer.getConnections(peerIdFromString(from)).length === 0) return

    const existing = this.nodes.get(from)
    if (existing !== undefined && body.seq <= existing.advert.seq &&
        body.issuedAt <= existing.advert.issuedAt) {
      return
    }
    if (body.draining) {
      this.evict(from, 'draining')
      return
    }
    if (existing !== undefined) {
      // Updated in place: leases hold this object and count load on it.
      existing.advert = body
      existing.lastSeen = this.now()
    } else {
      const node = this.departed.get(from) ??
        { peerId: from, advert: body, lastSeen: 0, inflight: 0 }
      this.departed.delete(from)
      node.advert = body
      node.lastSeen = this.now()
      this.nodes.set(from, node)
      log.info({ peerId: from, operator: body.operator, models: body.models.map((m) => m.id) },
        'node joined the pool')
    }
    this.changed()
  }

  private readonly onDisconnect = (evt: CustomEvent<{ toString: () => string }>): void => {
    this.evict(evt.detail.toString(), 'disconnected')
  }

  private sweep (): void {
    const cutoff = this.now() - this.ttlMs
    for (const node of this.nodes.values()) {
      if (node.lastSeen < cutoff) this.evict(node.peerId, 'advert expired')
    }
    for (const [peerId, node] of this.departed) {
      if (node.inflight <= 0) this.departed.delete(peerId)
    }
  }

  private changed (): void {
    for (const listener of this.listeners) listener()
  }
}
