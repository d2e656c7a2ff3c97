import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recoverAddress, type Hex } from 'viem'
import { MAX_BATCH_ITEMS } from '../src/index.ts'
import {
  Cluster, MODEL_ID, waitFor, waitForPool, type CoordinatorProcess, type NodeProcess
} from './helpers/cluster.ts'

let dir: string
let cluster: Cluster
let coordinator: CoordinatorProcess
let coordinatorArgs: string[]
let nodes: NodeProcess[]

const alice = { authorization: 'Bearer alice-secret' }
const bob = { authorization: 'Bearer bob-secret' }

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-batch-'))
  cluster = new Cluster(dir)
  // Fixed ports, so that nodes find the coordinator again after it restarts.
  coordinatorArgs = ['--port', String(await freePort()), '--no-auth',
    '--p2p-listen', `/ip4/127.0.0.1/tcp/${await freePort()}`,
    '--data-dir', join(dir, 'coordinator')]
  coordinator = await cluster.coordinator('coordinator', coordinatorArgs)
  nodes = await Promise.all(['a', 'b', 'c'].map(async (name) => cluster.node({
    name, bootstrap: coordinator.multiaddrs
  })))
  await waitForPool(coordinator.apiBase, nodes.map((n) => n.peerId))
})

t.teardown(async () => {
  await cluster?.stop()
  await rm(dir, { recursive: true, force: true })
})

interface Item {
  index: number
  status: string
  result: string | null
  usage: { prompt_tokens: number, completion_tokens: number } | null
  parallelix: { request_id: string, node: string, operator: string,
    poe: { hash: Hex, signature: Hex } } | null
}

interface Batch {
  id: string
  object: string
  status: string
  counts: Record<string, number>
  usage: { prompt_tokens: number, completion_tokens: number }
  items: Item[]
}

async function api (method: string, path: string, headers: Record<string, string>,
  body?: unknown): Promise<{ status: number, body: Batch & { error?: { code: string } } }> {
  const res = await fetch(`${coordinator.apiBase}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as Batch & { error?: { code: string } } }
}

const names = ['Lily', 'Ben', 'Tom', 'Sue', 'Max', 'Amy', 'Sam', 'Mia', 'Tim', 'Zoe']

t.test('a batch of 100 prompts spreads over three nodes and survives a coordinator crash',
  async (t) => {
    const inputs = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? `Once upon a time, ${names[i % 10]} had ${i} toys`
        : { messages: [{ role: 'user', content: `${names[i % 10]} went to the park ${i}` }] })
    const created = await api('POST', '/batch', alice, {
      model: MODEL_ID, max_tokens: 32, temperature: 0, inputs
    })
    t.equal(created.status, 202)
    t.match(created.body.id, /^batch_[A-Za-z0-9_-]+$/)
    t.equal(created.body.object, 'batch')
    t.equal(created.body.counts.total, 100)
    const { id } = created.body

    t.equal((await api('GET', `/batch/${id}`, bob)).status, 404, 'another owner cannot see it')
    t.equal((await api('GET', `/batch/${id}`, {})).status, 404, 'nor can an anonymous caller')
    t.equal((await api('POST', `/batch/${id}/cancel`, bob)).status, 404, 'nor cancel it')

    const before = await waitFor(async () => {
      const b = (await api('GET', `/batch/${id}`, alice)).body
      return b.counts.completed! >= 25 ? b : undefined
    }, 60_000, '25 items to complete', 10)
    coordinator.process.child.kill('SIGKILL')
    await coordinator.process.stop()
    t.ok(before.counts.completed! < 100, `crashed with ${before.counts.completed} of 100 done ` +
      `and ${before.counts.running} running`)

    coordinator = await cluster.coordinator('coordinator-restarted', coordinatorArgs)
    const after = await waitFor(async () => {
      const b = (await api('GET', `/batch/${id}`, alice)).body
      return b.status === 'completed' ? b : undefined
    }, 120_000, 'the batch to complete', 100)

    t.same(after.counts,
      { total: 100, queued: 0, running: 0, completed: 100, failed: 0, cancelled: 0 })
    const kept = before.items.filter((i) => i.status === 'completed')
    t.same(kept.map((i) => after.items[i.index]), kept,
      `the ${kept.length} items done before the crash kept their results`)
    if (before.counts.running! > 0) {
      const log = await readFile(join(dir, 'coordinator-restarted.log'), 'utf8')
      t.match(log, /queued interrupted batch items again/, 'interrupted items were queued again')
    }

    const operators = new Map(nodes.map((n) => [n.peerId, n.operator]))
    const perNode = new Map<string, number>()
    const signers: Array<[string | undefined, string]> = []
    for (const item of after.items) {
      if (item.parallelix === null || item.usage === null) throw new Error('an item has no result')
      perNode.set(item.parallelix.node, (perNode.get(item.parallelix.node) ?? 0) + 1)
      signers.push([operators.get(item.parallelix.node), await recoverAddress(item.parallelix.poe)])
    }
    t.ok(signers.every(([operator, signer]) => operator === signer),
      'every item\'s PoE recovers to the operator of the node that served it')
    t.ok(after.items.every((i) => (i.result ?? '').length > 0 && i.usage!.completion_tokens > 0),
      'every item has text and usage')
    t.same([...perNode.keys()].sort(), [...operators.keys()].sort(), 'every node served items')
    t.comment(`items per node: ${[...perNode.values()].join(', ')}`)
    t.equal(after.usage.completion_tokens,
      after.items.reduce((n, i) => n + (i.usage?.completion_tokens ?? 0), 0))
  })

t.test('cancelling a batch stops its queued items', async (t) => {
  const inputs = Array.from({ length: 300 }, (_, i) => `Story number ${i}`)
  const created = await api('POST', '/batch', alice, {
    model: MODEL_ID, max_tokens: 64, temperature: 0, inputs
  })
  const { id } = created.body
  const cancelled = await api('POST', `/batch/${id}/cancel`, alice)
  t.equal(cancelled.status, 200)
  t.match(cancelled.body.status, /^cancell(ing|ed)$/)

  const done = await waitFor(async () => {
    const b = (await api('GET', `/batch/${id}`, alice)).body
    return b.status === 'cancelled' ? b : undefined
  }, 30_000, 'the cancellation', 100)
  const { counts } = done
  t.equal(counts.queued, 0)
  t.equal(counts.running, 0)
  t.ok(counts.cancelled! > 200, `${counts.cancelled} of 300 never ran`)
  t.equal(counts.completed! + counts.cancelled! + counts.failed!, 300)
  t.ok(done.items.filter((i) => i.status === 'cancelled').every((i) => i.result === null))
})

t.test('a malformed batch is refused with the offending parameter', async (t) => {
  t.equal(MAX_BATCH_ITEMS, 1_000, 'the documented limit')
  const tooMany = await api('POST', '/batch', alice, {
    model: MODEL_ID, inputs: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => 'x')
  })
  t.equal(tooMany.status, 400)
  const badItem = await api('POST', '/batch', alice, {
    model: MODEL_ID, inputs: ['fine', { messages: [{ role: 'robot', content: 'x' }] }]
  })
  t.equal(badItem.status, 400)
  t.match((badItem.body as unknown as { error: { param: string } }).error.param, /^inputs\.1/)
  const unknown = await api('POST', '/batch', alice, { model: 'gpt-7', inputs: ['x'] })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error?.code, 'model_not_found')
})
