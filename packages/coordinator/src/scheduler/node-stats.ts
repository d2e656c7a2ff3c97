/** Weight of the newest sample in the moving averages of latency and speed. */
const EWMA_ALPHA = 0.3

/** A failure loses half its weight in this time, so a node that recovers regains preference. */
const FAILURE_HALF_LIFE_MS = 60_000

/** Fewer tokens than this say more about start-up cost than about speed. */
const MIN_SPEED_SAMPLE_TOKENS = 8

/** Most nodes remembered; past this the least recently used absent ones are forgotten. */
const MAX_REMEMBERED_NODES = 4_096

/** What one request observed on a node, measured at the coordinator. */
export interface ServedSample {
  /** From opening the stream to the first token. */
  ttftMs: number
  tokens: number
  /** From the first token to the final frame. */
  generationMs: number
  /** Requests this coordinator had on the node when this one started, itself included. */
  concurrency: number
}

/** What the coordinator has seen of one node: latency, speed, failures and standing. */
export class NodeStats {
  /** Moving average of time to first token, in ms; undefined until a request completes. */
  ttftMs?: number
  /** Moving average of tokens per second across the node's concurrent requests. */
  tokensPerSecond?: number
  /** Preference multiplier set by proof-of-execution checks: 1 is normal, 0 takes no work. */
  standing = 1
  served = 0
  /** The node answered `node_busy`; it gets no work before this time. */
  busyUntil = 0
  lastActivity = 0
  private failureWeight = 0
  private failureAt = 0

  recordServed (sample: ServedSample, now: number): void {
    this.served++
    this.lastActivity = now
    this.ttftMs = ewma(this.ttftMs, Math.max(0, sample.ttftMs))
    if (sample.tokens >= MIN_SPEED_SAMPLE_TOKENS && sample.generationMs > 0) {
      const perRequest = sample.tokens / (sample.generationMs / 1000)
      const aggregate = perRequest * Math.max(1, sample.concurrency)
      this.tokensPerSecond = ewma(this.tokensPerSecond, aggregate)
    }
  }

  recordFailure (now: number): void {
    this.failureWeight = this.failures(now) + 1
    this.failureAt = now
    this.lastActivity = now
  }

  /** Recent failures, each decaying with a half-life of a minute. */
  failures (now: number): number {
    if (this.failureWeight === 0) return 0
    return this.failureWeight * 0.5 ** ((now - this.failureAt) / FAILURE_HALF_LIFE_MS)
  }
}

function ewma (previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + EWMA_ALPHA * (sample - previous)
}

/**
 * Per-node stats keyed by peer id. They outlive a node's absence from the pool, so a node
 * that reconnects keeps its history and its standing; the book is bounded all the same.
 */
export class NodeStatsBook {
  private readonly stats = new Map<string, NodeStats>()

  /** The node's stats, created on first use. */
  get (peerId: string): NodeStats {
    let stats = this.stats.get(peerId)
    if (stats === undefined) {
      stats = new NodeStats()
      this.stats.set(peerId, stats)
      if (this.stats.size > MAX_REMEMBERED_NODES) this.forgetOldest()
    }
    return stats
  }

  peek (peerId: string): NodeStats | undefined {
    return this.stats.get(peerId)
  }

  get size (): number {
    return this.stats.size
  }

  private forgetOldest (): void {
    let oldest: string | undefined
    let oldestAt = Infinity
    for (const [peerId, stats] of this.stats) {
      // A lowered standing is a penalty that forgetting must not lift.
      if (stats.standing < 1) continue
      if (stats.lastActivity < oldestAt) {
        oldest = peerId
        oldestAt = stats.lastActivity
      }
    }
    this.stats.delete(oldest ?? this.stats.keys().next().value ?? '')
  }
}
