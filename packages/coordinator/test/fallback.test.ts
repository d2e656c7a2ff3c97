import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recoverAddress, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startNode, type RunningNode } from '@parallelix/node'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import {
  MODEL, MODEL_ID, PROMPT, postChat, streamChat, waitFor, waitForPool
} from './helpers/cluster.ts'

const body = {
  model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }], max_tokens: 32, temperature: 0
}

let dir: string
const running: Array<{ stop: () => Promise<void> }> = []

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-fallback-'))
})

t.teardown(async () => {
  for (const r of running.reverse()) await r.stop()
  await rm(dir, { recursive: true, force: true })
})

async function coordinatorWithNode (name: string, fallback: boolean) {
  const coordinator: RunningCoordinator = await startCoordinator({
    dataDir: join(dir, name), httpPort: 0, auth: false,
    fallback: fallback ? { models: [{ id: MODEL_ID, path: MODEL }], threads: 1, slots: 2 } : false
  })
  running.push(coordinator)
  const node: RunningNode = await startNode({
    dataDir: join(dir, `${name}-node`), modelPath: MODEL, modelId: MODEL_ID,
    bootstrap: coordinator.multiaddrs, threads: 1, slots: 2, contextSize: 1024,
    tokensPerSecond: 1000
  })
  running.push({ stop: async () => node.stop({ graceMs: 0 }) })
  await waitForPool(coordinator.apiBase, [node.peerId])
  return { coordinator, node }
}

async function emptyPool (coordinator: RunningCoordinator): Promise<void> {
  await waitFor(() => coordinator.registry.list().length === 0 ? true : undefined, 10_000,
    'the pool to empty')
}

t.test('with every node stopped, the coordinator serves a request itself', async (t) => {
  const { coordinator, node } = await coordinatorWithNode('with', true)
  const fromNode = await postChat(coordinator.apiBase, body)
  t.equal(fromNode.body.parallelix?.node, node.peerId, 'a node serves while there is one')

  await node.stop({ graceMs: 0 })
  await emptyPool(coordinator)
  const models = await (await fetch(`${coordinator.apiBase}/models`)).json() as {
    data: Array<{ id: string, parallelix: { nodes: number, fallback: boolean } }>
  }
  t.same(models.data.map((m) => [m.id, m.parallelix.nodes, m.parallelix.fallback]),
    [[MODEL_ID, 0, true]], 'with no node, /v1/models still lists what the fallback serves')
  const res = await postChat(coordinator.apiBase, body)
  t.equal(res.status, 200)
  t.equal(res.body.parallelix?.node, 'fallback')
  t.equal(res.body.choices?.[0]?.message.content, fromNode.body.choices?.[0]?.message.content,
    'the same model on the coordinator gives the same greedy text')
  t.equal(res.body.usage?.completion_tokens, 32)

  const key = (await readFile(join(dir, 'with', 'fallback-operator.key'), 'utf8')).trim()
  const operator = privateKeyToAccount(key as Hex).address
  t.equal(res.body.parallelix?.operator, operator, 'the fallback key is kept in the data dir')
  const segment = res.body.parallelix?.segments[0] as { poe: { hash: Hex, signature: Hex } }
  t.equal(await recoverAddress(segment.poe), operator, 'the fallback signed its receipt')

  const streamed = await streamChat(coordinator.apiBase, body)
  t.equal(streamed.text, res.body.choices?.[0]?.message.content, 'streaming works on it too')
  t.equal(streamed.parallelix?.node, 'fallback')
})

t.test('a batch runs on the fallback when no node is online', async (t) => {
  const coordinator = running[0] as RunningCoordinator
  const res = await fetch(`${coordinator.apiBase}/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL_ID, max_tokens: 8, temperature: 0,
      inputs: ['Once upon a time', 'The cat', 'Lily and Ben'] })
  })
  t.equal(res.status, 202)
  const { id } = await res.json() as { id: string }
  const done = await waitFor(async () => {
    const batch = await (await fetch(`${coordinator.apiBase}/batch/${id}`)).json() as {
      status: string, items: Array<{ status: string, parallelix: { node: string } }>
    }
    return batch.status === 'completed' ? batch : undefined
  }, 20_000, 'the batch', 100)
  t.same(done.items.map((i) => [i.status, i.parallelix.node]),
    [['completed', 'fallback'], ['completed', 'fallback'], ['completed', 'fallback']])
})

t.test('with the fallback disabled and no node left, the answer is a clear 503', async (t) => {
  const { coordinator, node } = await coordinatorWithNode('without', false)
  await node.stop({ graceMs: 0 })
  await emptyPool(coordinator)
  const res = await postChat(coordinator.apiBase, body)
  t.equal(res.status, 503)
  t.equal(res.body.error?.code, 'no_capable_node')
  t.match(res.body.error?.message, /No node serving 'stories260K' is online/)
  t.match(res.body.error?.message, /fallback is disabled/)
})
