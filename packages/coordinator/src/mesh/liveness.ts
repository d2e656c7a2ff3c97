import { peerIdFromString } from '@libp2p/peer-id'
import { createLogger } from '@parallelix/protocol'
import type { Peer } from '@parallelix/protocol/mesh'
import type { NodeRegistry } from './registry.ts'

const log = createLogger('coordinator:liveness')

export interface LivenessOptions {
  /** How often every pool node is pinged. */
  intervalMs?: number
  /** A ping unanswered for this long evicts the node. */
  timeoutMs?: number
}

/** Defaults that keep detection of a frozen node under 3 s. */
export const LIVENESS_INTERVAL_MS = 750
export const LIVENESS_TIMEOUT_MS = 1_500

/**
 * A protocol no peer serves. Asking for it costs the node one multistream-select refusal:
 * no handler, no log line, no stream limit, yet the refusal proves its event loop answers.
 * The ping protocol would do the same but allows one outbound stream per peer, which
 * libp2p's own connection monitor also uses; a collision makes that monitor drop the
 * connection.
 */
const PROBE_PROTOCOL = '/parallelix/liveness-probe/0.0.0'

/**
 * Probes every node in the pool over its libp2p connection and evicts one that does not
 * answer in time. A killed node is caught by its connection closing; this catches the
 * ones whose connection stays open while the process is frozen, swapped out or cut off,
 * long before the advert TTL runs out. A wrongly evicted node returns with its next advert.
 */
export class LivenessMonitor {
  private readonly peer: Peer
  private readonly registry: NodeRegistry
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly pinging = new Set<string>()
  private timer?: NodeJS.Timeout
  private readonly controller = new AbortController()

  constructor (peer: Peer, registry: NodeRegistry, options: LivenessOptions = {}) {
    this.peer = peer
    this.registry = registry
    this.intervalMs = options.intervalMs ?? LIVENESS_INTERVAL_MS
    this.timeoutMs = options.timeoutMs ?? LIVENESS_TIMEOUT_MS
  }

  start (): void {
    this.timer = setInterval(() => { this.round() }, this.intervalMs)
  }

  stop (): void {
    clearInterval(this.timer)
    this.controller.abort()
  }

  private round (): void {
    for (const node of this.registry.list()) {
      if (this.pinging.has(node.peerId)) continue
      this.pinging.add(node.peerId)
      void this.check(node.peerId).finally(() => this.pinging.delete(node.peerId))
    }
  }

  private async check (peerId: string): Promise<void> {
    const connection = this.peer.getConnections(peerIdFromString(peerId))[0]
    if (connection === undefined) return
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = AbortSignal.any([this.controller.signal, timeout])
    try {
      const stream = await connection.newStream(PROBE_PROTOCOL, { signal })
      stream.abort(new Error('liveness probe'))
    } catch (err) {
      if ((err as Error).name === 'UnsupportedProtocolError') return
      if (this.controller.signal.aborted) return
      // Only silence is evidence of a frozen node. Other failures come from a closing
      // connection, which evicts through the registry's disconnect handler.
      if (!timeout.aborted) {
        log.debug({ peerId, err: (err as Error).message }, 'liveness probe failed')
        return
      }
      log.warn({ peerId, timeoutMs: this.timeoutMs }, 'node did not answer a liveness probe')
      this.registry.evict(peerId, 'liveness probe timeout')
    }
  }
}
