import { createLogger } from '@parallelix/protocol'
import { CapacityExhaustedError, ModelNotFoundError, NoCapableNodeError } from './errors.ts'
import { NodeStatsBook, type NodeStats } from './node-stats.ts'
import { expectedCost, freeSlots } from './score.ts'
import type { PoolNode } from '../mesh/registry.ts'

const log = createLogger('coordinator:scheduler')

/** The live pool as the scheduler sees it; NodeRegistry is the real one. */
export interface NodePool {
  list: () => PoolNode[]
  onChange: (listener: () => void) => () => void
}

export interface Requirement {
  model: string
  modelHash?: string
  /** Tokens the request may need: a lower bound on the node's context size. */
  minContext: number
  /** Completion tokens asked for, used to weigh fast nodes against idle ones. */
  maxTokens?: number
}

/** Interactive requests are served before queued background (batch) work. */
export type Priority = 'interactive' | 'background'

export interface AcquireOptions {
  signal?: AbortSignal
  /** Nodes this request must not go to, e.g. ones that already failed it. */
  exclude?: ReadonlySet<string>
  priority?: Priority
}

export interface SchedulerOptions {
  /** Longest time an interactive request waits for a free slot before a 429. */
  queueTimeoutMs?: number
  /** Most interactive requests waiting at once; past this a request gets a 429 at once. */
  maxQueue?: number
  /** Most background requests waiting at once; their callers bound them, this is a backstop. */
  maxBackgroundQueue?: number
  now?: () => number
}

/** A slot held on one node for one request; release it exactly once. */
export interface Lease {
  node: PoolNode
  stats: NodeStats
  /** Requests this coordinator has on the node, this one included, when it was leased. */
  concurrency: number
  release: () => void
}

interface Waiter {
  req: Requirement
  exclude: ReadonlySet<string>
  grant: (lease: Lease) => void
  fail: (err: Error) => void
}

/**
 * Matches each request whole to one node that serves its model, fits its context and has a
 * free slot, choosing the one expected to finish it soonest (load, measured speed, latency,
 * failures, standing). Requests that find every capable node busy wait in bounded FIFO
 * queues, interactive ahead of background, and get a 429 when their wait runs out.
 */
export class Scheduler {
  /** What this coordinator has measured of each node. */
  readonly stats = new NodeStatsBook()
  private readonly pool: NodePool
  private readonly queueTimeoutMs: number
  private readonly maxQueue: number
  private readonly maxBackgroundQueue: number
  private readonly now: () => number
  private readonly interactive: Waiter[] = []
  private readonly background: Waiter[] = []
  /** Models advertised since start: asking for one of these while none is up is a 503. */
  private readonly knownModels = new Set<string>()

  constructor (pool: NodePool, options: SchedulerOptions = {}) {
    this.pool = pool
    this.queueTimeoutMs = options.queueTimeoutMs ?? 30_000
    this.maxQueue = options.maxQueue ?? 256
    this.maxBackgroundQueue = options.maxBackgroundQueue ?? 4_096
    this.now = options.now ?? Date.now
    this.learnModels()
    pool.onChange(() => {
      this.learnModels()
      this.dispatch(true)
    })
  }

  private learnModels (): void {
    for (const node of this.pool.list()) {
      for (const m of node.advert.models) this.knownModels.add(m.id)
    }
  }

  /** Whether `model` is served now or was served since start. */
  isKnownModel (model: string): boolean {
    return this.knownModels.has(model) ||
      this.pool.list().some((n) => n.advert.models.some((m) => m.id === model))
  }

  /** Requests waiting for a slot, by priority. */
  get queued (): { interactive: number, background: number } {
    return { interactive: this.interactive.length, background: this.background.length }
  }

  /** Sets a node's preference multiplier (1 normal, 0 never chosen); kept across reconnects. */
  setStanding (peerId: string, standing: number): void {
    if (!Number.isFinite(standing) || standing < 0) {
      throw new RangeError(`standing must be a finite number >= 0, not ${standing}`)
    }
    this.stats.get(peerId).standing = standing
    log.info({ peerId, standing }, 'node standing changed')
    this.dispatch(true)
  }

  standing (peerId: string): number {
    return this.stats.peek(peerId)?.standing ?? 1
  }

  /** Keeps a node that answered `node_busy` out of the running for `ms`. */
  markBusy (peerId: string, ms: number): void {
    this.stats.get(peerId).busyUntil = this.now() + ms
    setTimeout(() => { this.dispatch() }, ms).unref()
  }

  /** Nodes that could serve the requirement if they had a free slot. */
  capable (req: Requirement, exclude: ReadonlySet<string> = new Set()): PoolNode[] {
    return this.pool.list().filter((node) => !exclude.has(node.peerId) &&
      !node.advert.draining &&
      this.standing(node.peerId) > 0 &&
      node.advert.models.some((m) => m.id === req.model &&
        (req.modelHash === undefined || m.modelHash === req.modelHash) &&
        m.contextSize >= req.minContext))
  }

  /** Takes a slot on the best capable node, waiting in the queue while all are busy. */
  async acquire (req: Requirement, options: AcquireOptions = {}): Promise<Lease> {
    const { signal } = options
    signal?.throwIfAborted()
    const exclude = options.exclude ?? new Set<string>()
    if (this.capable(req, exclude).length === 0) throw this.unavailable(req)

    const background = options.priority === 'background'
    const queue = background ? this.background : this.interactive
    return new Promise<Lease>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const settle = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      const waiter: Waiter = {
        req,
        exclude,
        grant: (lease) => { settle(); resolve(lease) },
        fail: (err) => { settle(); reject(err) }
      }
      const leave = (err: Error): void => {
        const i = queue.indexOf(waiter)
        if (i >= 0) queue.splice(i, 1)
        waiter.fail(err)
      }
      const onAbort = (): void => { leave(signal?.reason as Error) }

      queue.push(waiter)
      this.dispatch()
      if (!queue.includes(waiter)) return

      const limit = background ? this.maxBackgroundQueue : this.maxQueue
      if (queue.length > limit || (!background && this.queueTimeoutMs === 0)) {
        log.debug({ model: req.model, queued: queue.length }, 'queue full')
        leave(this.exhausted(req, 'the queue is full'))
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      if (!background) {
        timer = setTimeout(() => {
          log.debug({ model: req.model, queued: queue.length }, 'queue wait ran out')
          leave(this.exhausted(req, `no slot freed within ${this.queueTimeoutMs} ms`))
        }, this.queueTimeoutMs)
      }
    })
  }

  /** Seconds a client should wait before retrying a request that met a full pool. */
  retryAfterSeconds (req: Requirement): number {
    const now = this.now()
    const maxTokens = req.maxTokens ?? req.minContext
    const soonest = Math.min(...this.capable(req).map((node) =>
      expectedCost(node, this.stats.peek(node.peerId), maxTokens, now)))
    const seconds = Number.isFinite(soonest) ? Math.ceil(soonest / 1000) : 1
    return Math.min(60, Math.max(1, seconds))
  }

  /**
   * Grants free slots to waiters in order: every interactive waiter, then background. After
   * a pool change it also fails waiters whose every capable node has left.
   */
  private dispatch (poolChanged = false): void {
    if (this.interactive.length === 0 && this.background.length === 0) return
    const now = this.now()
    let free = 0
    for (const node of this.pool.list()) {
      const busy = (this.stats.peek(node.peerId)?.busyUntil ?? 0) > now
      if (!busy) free += Math.max(0, freeSlots(node))
    }

    for (const queue of [this.interactive, this.background]) {
      for (let i = 0; i < queue.length;) {
        if (free <= 0 && !poolChanged) break
        const waiter = queue[i]!
        const capable = this.capable(waiter.req, waiter.exclude)
        if (capable.length === 0) {
          queue.splice(i, 1)
          waiter.fail(this.unavailable(waiter.req))
          continue
        }
        if (free <= 0) {
          i++
          continue
        }
        const best = this.pick(capable, waiter.req, now)
        if (best === undefined) {
          i++
          continue
        }
        queue.splice(i, 1)
        free--
        waiter.grant(this.lease(best))
      }
    }
  }

  private pick (nodes: PoolNode[], req: Requirement, now: number): PoolNode | undefined {
    const maxTokens = req.maxTokens ?? req.minContext
    let best: PoolNode | undefined
    let bestCost = Infinity
    for (const node of nodes) {
      const stats = this.stats.peek(node.peerId)
      if (freeSlots(node) <= 0 || (stats?.busyUntil ?? 0) > now) continue
      // A little noise spreads equal nodes instead of always picking the first listed.
      const cost = expectedCost(node, stats, maxTokens, now) * (1 + Math.random() * 0.01)
      if (cost < bestCost) {
        best = node
        bestCost = cost
      }
    }
    return best
  }

  private lease (node: PoolNode): Lease {
    node.inflight++
    const stats = this.stats.get(node.peerId)
    stats.lastActivity = this.now()
    let released = false
    return {
      node,
      stats,
      concurrency: node.inflight,
      release: () => {
        if (released) return
        released = true
        node.inflight--
        this.dispatch()
      }
    }
  }

  private unavailable (req: Requirement): Error {
    if (!this.isKnownModel(req.model)) return new ModelNotFoundError(req.model)
    return new NoCapableNodeError(
      `No node serving '${req.model}' is online with a context of at least ` +
      `${req.minContext} tokens`)
  }

  private exhausted (req: Requirement, why: string): CapacityExhaustedError {
    return new CapacityExhaustedError(
      `Every node serving '${req.model}' is busy (${why}); retry shortly`,
      this.retryAfterSeconds(req))
  }
}
