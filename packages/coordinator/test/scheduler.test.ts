import t from 'tap'
import {
  CapacityExhaustedError, NoCapableNodeError, Scheduler, type Lease, type NodePool, type PoolNode
} from '../src/index.ts'
import type { AdvertBody } from '@parallelix/protocol'

const HASH = `0x${'ab'.repeat(32)}`

/** An in-memory pool: the scheduler's only view of the network. */
class Pool implements NodePool {
  readonly nodes = new Map<string, PoolNode>()
  private readonly listeners = new Set<() => void>()

  add (peerId: string, over: Partial<AdvertBody> = {}, context = 2048): PoolNode {
    const advert = {
      v: 1,
      peerId,
      operator: `0x${'11'.repeat(20)}`,
      addrs: [],
      models: [{ id: 'm', modelHash: HASH, contextSize: context, sizeBytes: 1 }],
      hardware: { gpu: 'cpu', devices: [], cpuCores: 2, threads: 1 },
      slots: { total: 2, free: 2 },
      tokensPerSecond: 1000,
      draining: false,
      issuedAt: Date.now(),
      seq: 0,
      ...over
    } as AdvertBody
    const node: PoolNode = { peerId, advert, lastSeen: Date.now(), inflight: 0 }
    this.nodes.set(peerId, node)
    this.changed()
    return node
  }

  remove (peerId: string): void {
    this.nodes.delete(peerId)
    this.changed()
  }

  list (): PoolNode[] { return [...this.nodes.values()] }

  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed (): void { for (const l of this.listeners) l() }
}

const req = { model: 'm', minContext: 64, maxTokens: 64 }

function served (scheduler: Scheduler, peerId: string, tokensPerSecond: number, ttftMs = 20) {
  scheduler.stats.get(peerId).recordServed({
    ttftMs, tokens: 100, generationMs: 100_000 / tokensPerSecond, concurrency: 1
  }, Date.now())
}

t.test('sends a request to the idle node rather than the loaded one', async (t) => {
  const pool = new Pool()
  const busy = pool.add('busy')
  pool.add('idle')
  busy.inflight = 1
  const scheduler = new Scheduler(pool)
  const lease = await scheduler.acquire(req)
  t.equal(lease.node.peerId, 'idle')
  t.equal(lease.concurrency, 1)
})

t.test('prefers the node measured fastest, whatever the adverts claim', async (t) => {
  const pool = new Pool()
  pool.add('boaster', { tokensPerSecond: 5000 })
  pool.add('honest', { tokensPerSecond: 400 })
  const scheduler = new Scheduler(pool)
  t.equal((await scheduler.acquire(req)).node.peerId, 'boaster', 'adverts decide at first')
  pool.nodes.get('boaster')!.inflight = 0

  served(scheduler, 'boaster', 300)
  served(scheduler, 'honest', 400)
  t.equal((await scheduler.acquire(req)).node.peerId, 'honest',
    'a node delivering far below its advert loses preference')
})

t.test('recent failures cost preference, which returns as they decay', async (t) => {
  let now = 1_000_000
  const pool = new Pool()
  pool.add('flaky', { tokensPerSecond: 2000 })
  pool.add('steady', { tokensPerSecond: 1000 })
  const scheduler = new Scheduler(pool, { now: () => now })
  scheduler.stats.get('flaky').recordFailure(now)
  scheduler.stats.get('flaky').recordFailure(now)
  const first = await scheduler.acquire(req)
  t.equal(first.node.peerId, 'steady')
  first.release()

  now += 5 * 60_000
  t.ok(scheduler.stats.get('flaky').failures(now) < 0.1, 'two failures decayed to almost none')
  t.equal((await scheduler.acquire(req)).node.peerId, 'flaky')
})

t.test('a lowered standing moves work away and a standing of 0 takes none', async (t) => {
  const pool = new Pool()
  pool.add('a')
  pool.add('b')
  const scheduler = new Scheduler(pool)
  scheduler.setStanding('a', 0.1)
  const picks = new Set<string>()
  for (let i = 0; i < 2; i++) picks.add((await scheduler.acquire(req)).node.peerId)
  t.same([...picks], ['b'], 'both of b\'s slots are used before a')

  scheduler.setStanding('b', 0)
  t.equal(scheduler.standing('b'), 0)
  t.same(scheduler.capable(req).map((n) => n.peerId), ['a'])
  t.throws(() => scheduler.setStanding('a', -1), RangeError)
})

t.test('only nodes with the model, hash and a context that fits are capable', async (t) => {
  const pool = new Pool()
  pool.add('small', {}, 128)
  pool.add('large', {}, 4096)
  pool.add('draining', { draining: true }, 4096)
  pool.add('other', { models: [{ id: 'x', modelHash: HASH, contextSize: 4096, sizeBytes: 1 }] })
  const scheduler = new Scheduler(pool)
  t.same(scheduler.capable({ model: 'm', minContext: 100 }).map((n) => n.peerId).sort(),
    ['large', 'small'])
  t.same(scheduler.capable({ model: 'm', minContext: 1000 }).map((n) => n.peerId), ['large'])
  t.same(scheduler.capable({ model: 'm', minContext: 1, modelHash: `0x${'cd'.repeat(32)}` }), [])
  await t.rejects(scheduler.acquire({ model: 'nope', minContext: 1 }),
    { name: 'ModelNotFoundError', code: 'model_not_found' })
  await t.rejects(scheduler.acquire({ model: 'm', minContext: 10_000 }),
    { name: 'NoCapableNodeError', code: 'no_capable_node' })
})

t.test('spreads a burst evenly over equal nodes', async (t) => {
  const pool = new Pool()
  for (const id of ['a', 'b', 'c']) pool.add(id, { slots: { total: 4, free: 4 } })
  const scheduler = new Scheduler(pool)
  const counts: Record<string, number> = {}
  for (let i = 0; i < 12; i++) {
    const { node } = await scheduler.acquire(req)
    counts[node.peerId] = (counts[node.peerId] ?? 0) + 1
  }
  t.same(counts, { a: 4, b: 4, c: 4 })
})

t.test('queued requests are granted in arrival order as slots free', async (t) => {
  const pool = new Pool()
  pool.add('only', { slots: { total: 1, free: 1 } })
  const scheduler = new Scheduler(pool, { queueTimeoutMs: 5_000 })
  const held = await scheduler.acquire(req)
  const order: number[] = []
  const waiting = [1, 2, 3].map(async (n) => {
    const lease = await scheduler.acquire(req)
    order.push(n)
    return lease
  })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(scheduler.queued, { interactive: 3, background: 0 })

  held.release()
  let lease = await waiting[0]!
  lease.release()
  lease = await waiting[1]!
  lease.release()
  lease = await waiting[2]!
  t.same(order, [1, 2, 3])
  t.same(scheduler.queued, { interactive: 0, background: 0 })
})

t.test('a wait that runs out is a CapacityExhaustedError with a retry-after', async (t) => {
  const pool = new Pool()
  pool.add('only', { slots: { total: 1, free: 1 } })
  const scheduler = new Scheduler(pool, { queueTimeoutMs: 100 })
  await scheduler.acquire(req)
  const started = Date.now()
  const err = await scheduler.acquire(req).catch((e: unknown) => e) as CapacityExhaustedError
  t.ok(err instanceof CapacityExhaustedError)
  t.equal(err.code, 'capacity_exhausted')
  t.ok(Date.now() - started >= 95, 'it waited for the queue timeout')
  t.ok(err.retryAfterSeconds >= 1 && err.retryAfterSeconds <= 60)
  t.same(scheduler.queued, { interactive: 0, background: 0 }, 'nothing is left queued')
})

t.test('a full queue refuses at once', async (t) => {
  const pool = new Pool()
  pool.add('only', { slots: { total: 1, free: 1 } })
  const scheduler = new Scheduler(pool, { queueTimeoutMs: 10_000, maxQueue: 2 })
  await scheduler.acquire(req)
  const controller = new AbortController()
  const queued = [scheduler.acquire(req, { signal: controller.signal }),
    scheduler.acquire(req, { signal: controller.signal })]
  const started = Date.now()
  await t.rejects(scheduler.acquire(req), { name: 'CapacityExhaustedError' })
  t.ok(Date.now() - started < 50, 'refused without waiting')

  controller.abort(new Error('client left'))
  for (const q of queued) await t.rejects(q, { message: 'client left' })
  t.same(scheduler.queued, { interactive: 0, background: 0 }, 'aborted waiters left the queue')
})

t.test('an interactive request overtakes queued background work', async (t) => {
  const pool = new Pool()
  pool.add('only', { slots: { total: 1, free: 1 } })
  const scheduler = new Scheduler(pool)
  const held = await scheduler.acquire(req, { priority: 'background' })
  const granted: string[] = []
  const background = scheduler.acquire(req, { priority: 'background' })
    .then((l) => { granted.push('background'); return l })
  const interactive = scheduler.acquire(req)
    .then((l) => { granted.push('interactive'); return l })
  await new Promise((resolve) => setImmediate(resolve))

  held.release()
  ;(await interactive).release()
  await background
  t.same(granted, ['interactive', 'background'])
})

t.test('waiters fail with NoCapableNodeError when their nodes leave', async (t) => {
  const pool = new Pool()
  pool.add('only', { slots: { total: 1, free: 1 } })
  const scheduler = new Scheduler(pool)
  const held: Lease = await scheduler.acquire(req)
  const waiting = scheduler.acquire(req)
  pool.remove('only')
  await t.rejects(waiting, NoCapableNodeError)
  held.release()
})

t.test('a node that answered busy is passed over for a while', async (t) => {
  const pool = new Pool()
  pool.add('a', { tokensPerSecond: 5000 })
  pool.add('b', { tokensPerSecond: 100 })
  const scheduler = new Scheduler(pool)
  scheduler.markBusy('a', 100)
  t.equal((await scheduler.acquire(req)).node.peerId, 'b')
  await new Promise((resolve) => setTimeout(resolve, 120))
  t.equal((await scheduler.acquire(req)).node.peerId, 'a')
})
