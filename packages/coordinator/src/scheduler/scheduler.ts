import { createLogger } from '@parallelix/protocol'
import { CapacityExhaustedError, ModelNotFoundError, NoCapableNodeError } from './errors.ts'
import type { NodeRegistry, PoolNode } from '../mesh/registry.ts'

const log = createLogger('coordinator:scheduler')

export interface Requirement {
  model: string
  modelHash?: string
  /** Tokens the request may need: a lower bound on the node's context size. */
  minContext: number
}

export interface SchedulerOptions {
  /** Longest time a request waits for a free slot before a 429. */
  queueTimeoutMs?: number
  /** Most requests waiting at once; past this a request gets a 429 at once. */
  maxQueue?: number
}

/** A slot held on one node for one request; release it exactly once. */
export interface Lease {
  node: PoolNode
  release: () => void
}

/**
 * Matches each request whole to one node that serves its model, fits its context and has a
 * free slot, preferring the least loaded and then the fastest. Requests that find every
 * capable node busy wait in a bounded queue.
 */
export class Scheduler {
  private readonly registry: NodeRegistry
  private readonly queueTimeoutMs: number
  private readonly maxQueue: number
  private readonly waiters = new Set<() => void>()
  /** Models advertised since start: asking for one of these while none is up is a 503. */
  private readonly knownModels = new Set<string>()

  constructor (registry: NodeRegistry, options: SchedulerOptions = {}) {
    this.registry = registry
    this.queueTimeoutMs = options.queueTimeoutMs ?? 30_000
    this.maxQueue = options.maxQueue ?? 256
    registry.onChange(() => {
      for (const node of registry.list()) {
        for (const m of node.advert.models) this.knownModels.add(m.id)
      }
      this.wake()
    })
  }

  /** Whether `model` is served now or was served since start. */
  isKnownModel (model: string): boolean {
    return this.knownModels.has(model) ||
      this.registry.list().some((n) => n.advert.models.some((m) => m.id === model))
  }

  /** Nodes that could serve the requirement if they had a free slot. */
  capable (req: Requirement, exclude: ReadonlySet<string> = new Set()): PoolNode[] {
    return this.registry.list().filter((node) => !exclude.has(node.peerId) &&
      !node.advert.draining &&
      node.advert.models.some((m) => m.id === req.model &&
        (req.modelHash === undefined || m.modelHash === req.modelHash) &&
        m.contextSize >= req.minContext))
  }

  /** Takes a slot on the best capable node, waiting in the queue while all are busy. */
  async acquire (
    req: Requirement, options: { signal?: AbortSignal, exclude?: ReadonlySet<string> } = {}
  ): Promise<Lease> {
    const deadline = Date.now() + this.queueTimeoutMs
    for (;;) {
      options.signal?.throwIfAborted()
      const capable = this.capable(req, options.exclude)
      if (capable.length === 0) {
        if (!this.isKnownModel(req.model)) throw new ModelNotFoundError(req.model)
        throw new NoCapableNodeError(
          `No node serving '${req.model}' is online with a context of at least ` +
          `${req.minContext} tokens; try again shortly`)
      }
      const best = pickBest(capable)
      if (best !== undefined) return this.lease(best)

      const left = deadline - Date.now()
      if (left <= 0 || this.waiters.size >= this.maxQueue) {
        log.debug({ model: req.model, queued: this.waiters.size }, 'capacity exhausted')
        throw new CapacityExhaustedError(
          `Every node serving '${req.model}' is busy; retry shortly`,
          Math.max(1, Math.ceil(this.queueTimeoutMs / 10_000)))
      }
      await this.waitForChange(left, options.signal)
    }
  }

  private lease (node: PoolNode): Lease {
    node.inflight++
    let released = false
    return {
      node,
      release: () => {
        if (released) return
        released = true
        node.inflight--
        this.wake()
      }
    }
  }

  private async waitForChange (ms: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  private wake (): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

function freeSlots (node: PoolNode): number {
  return node.advert.slots.total - node.inflight
}

function pickBest (nodes: PoolNode[]): PoolNode | undefined {
  let best: PoolNode | undefined
  let bestLoad = Infinity
  for (const node of nodes) {
    if (freeSlots(node) <= 0) continue
    const load = node.inflight / Math.max(1, node.advert.slots.total)
    if (load < bestLoad ||
        (load === bestLoad && node.advert.tokensPerSecond > (best?.advert.tokensPerSecond ?? 0))) {
      best = node
      bestLoad = load
    }
  }
  return best
}
