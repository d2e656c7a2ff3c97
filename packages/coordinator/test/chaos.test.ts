import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import {
  Cluster, MODEL_ID, PROMPT, postChat, streamChat, waitForPool, type NodeProcess
} from './helpers/cluster.ts'

const REQUESTS = 200
const MAX_TOKENS = 24

let dir: string
let cluster: Cluster
let coordinator: RunningCoordinator
let nodes: NodeProcess[]

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-chaos-'))
  cluster = new Cluster(dir)
  coordinator = await startCoordinator({
    dataDir: join(dir, 'coordinator'), httpPort: 0, auth: false,
    queueTimeoutMs: 60_000, maxQueue: REQUESTS,
    failover: { firstTokenTimeoutMs: 3_000, stallTimeoutMs: 3_000 }
  })
  nodes = await Promise.all(['a', 'b', 'c'].map(async (name) => cluster.node({
    name, bootstrap: coordinator.multiaddrs
  })))
  await waitForPool(coordinator.apiBase, nodes.map((n) => n.peerId))
})

t.teardown(async () => {
  await cluster?.stop()
  await coordinator?.stop()
  await rm(dir, { recursive: true, force: true })
})

interface Outcome {
  ok: boolean
  text: string
  status: number
  tokens?: number
  segments: number
  error?: { message: string, code: string | null }
}

t.test(`${REQUESTS} requests while two of three nodes are killed: none is lost`, async (t) => {
  const body = {
    model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }],
    max_tokens: MAX_TOKENS, temperature: 0
  }
  let settled = 0
  const victims = [...nodes].sort(() => Math.random() - 0.5).slice(0, 2)
  const killed: string[] = []
  const settle = (outcome: Outcome): Outcome => {
    settled++
    // Kill a random node after a quarter of the requests and another after half.
    if (settled === REQUESTS / 4 || settled === REQUESTS / 2) {
      const victim = victims.shift()!
      victim.signal('SIGKILL')
      killed.push(victim.peerId)
    }
    return outcome
  }

  const started = performance.now()
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, async (_, i) => {
    if (i % 2 === 0) {
      const r = await streamChat(coordinator.apiBase, body)
      return settle({
        ok: r.status === 200 && r.error === undefined,
        text: r.text,
        status: r.status,
        tokens: r.usage?.completion_tokens,
        segments: r.parallelix?.segments.length ?? 0,
        error: r.error
      })
    }
    const r = await postChat(coordinator.apiBase, body)
    return settle({
      ok: r.status === 200,
      text: r.body.choices?.[0]?.message.content ?? '',
      status: r.status,
      tokens: r.body.usage?.completion_tokens,
      segments: r.body.parallelix?.segments.length ?? 0,
      error: r.body.error === undefined ? undefined : r.body.error
    })
  }))
  const seconds = (performance.now() - started) / 1000

  t.equal(killed.length, 2, 'two nodes were killed mid-run')
  t.equal(outcomes.length, REQUESTS, 'every request was answered')
  const failed = outcomes.filter((o) => !o.ok)
  for (const f of failed) {
    t.ok(f.error?.message !== undefined && f.error.message.length > 10,
      `a failure says why: ${f.status} ${f.error?.code}: ${f.error?.message}`)
  }
  const ok = outcomes.filter((o) => o.ok)
  t.ok(ok.length >= REQUESTS * 0.95,
    `${ok.length} of ${REQUESTS} completed in ${seconds.toFixed(1)} s`)
  t.ok(ok.every((o) => o.tokens === MAX_TOKENS), 'each completed answer has all its tokens')
  const resumed = ok.filter((o) => o.segments > 1).length
  t.comment(`${resumed} answers resumed on another node mid-generation`)

  const reference = ok.find((o) => o.segments === 1)?.text
  t.ok(ok.filter((o) => o.segments === 1).every((o) => o.text === reference),
    'every answer from a single node is the same greedy text')

  t.same(coordinator.scheduler.queued, { interactive: 0, background: 0 }, 'nothing is queued')
  t.ok(coordinator.registry.list().every((n) => n.inflight === 0), 'no slot is left leased')
  t.same(coordinator.registry.list().map((n) => n.peerId),
    nodes.map((n) => n.peerId).filter((p) => !killed.includes(p)), 'the survivor serves on')
})
