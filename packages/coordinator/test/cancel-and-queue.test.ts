import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNode, type RunningNode } from '@parallelix/node'
import { startCoordinator, type Completion, type RunningCoordinator } from '../src/index.ts'
import {
  MODEL, MODEL_ID, PROMPT, postChat, streamChat, waitFor, waitForPool
} from './helpers/cluster.ts'

let dir: string
let coordinator: RunningCoordinator
let node: RunningNode
const completions: Completion[] = []

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-cancel-'))
  coordinator = await startCoordinator({
    dataDir: join(dir, 'coordinator'), httpPort: 0, auth: false, queueTimeoutMs: 1_500, maxQueue: 3
  })
  node = await startNode({
    dataDir: join(dir, 'node'), modelPath: MODEL, modelId: MODEL_ID,
    bootstrap: coordinator.multiaddrs, threads: 1, slots: 1, contextSize: 2048,
    tokensPerSecond: 1000
  })
  await waitForPool(coordinator.apiBase, [node.peerId])

  // Every completion the HTTP route gets back, to read its receipts.
  const dispatcher = coordinator.dispatcher
  const complete = dispatcher.complete.bind(dispatcher)
  dispatcher.complete = async (...args) => {
    const c = await complete(...args)
    completions.push(c)
    return c
  }
})

t.teardown(async () => {
  await node?.stop({ graceMs: 0 })
  await coordinator?.stop()
  await rm(dir, { recursive: true, force: true })
})

t.test('a client that disconnects stops generation on the node within a fraction of a second',
  async (t) => {
    const controller = new AbortController()
    let abortedAt = 0
    await streamChat(coordinator.apiBase, {
      model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 1900, temperature: 0
    }, (_text, chunks) => {
      if (chunks === 20) {
        abortedAt = performance.now()
        controller.abort()
      }
    }, controller.signal).catch((err: Error) => {
      if (err.name !== 'AbortError') throw err
    })
    t.ok(abortedAt > 0, 'the client read 20 tokens, then hung up')

    await waitFor(() => node.engine.freeSlots === 1 ? true : undefined, 5_000, 'the slot')
    const stoppedMs = performance.now() - abortedAt
    t.ok(stoppedMs < 500, `the node freed its slot ${stoppedMs.toFixed(0)} ms after the hang-up`)

    const c = await waitFor(() => completions.at(-1), 2_000, 'the completion')
    t.equal(c.finishReason, 'cancelled')
    t.ok(c.final.usage.completionTokens >= 20, 'the receipt covers what was streamed')
    t.ok(c.final.usage.completionTokens < 1900,
      `the node stopped after ${c.final.usage.completionTokens} of 1900 tokens`)
  })

t.test('more requests than slots queue, then get 429 with Retry-After, never a crash',
  async (t) => {
    const started = performance.now()
    const results = await Promise.all(Array.from({ length: 10 }, async () => postChat(
      coordinator.apiBase, {
        model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }],
        max_tokens: 30, temperature: 0
      })))
    const elapsed = performance.now() - started

    const ok = results.filter((r) => r.status === 200)
    const limited = results.filter((r) => r.status === 429)
    t.equal(ok.length + limited.length, 10, 'every request got 200 or 429')
    t.ok(ok.length >= 2, `${ok.length} served, at least one of them after queueing`)
    t.ok(limited.length >= 6, `${limited.length} refused: 1 slot, 3 queue places`)
    for (const r of limited) {
      t.equal(r.body.error?.code, 'capacity_exhausted')
      t.equal(r.body.error?.type, 'rate_limit_error')
      t.match(r.headers.get('retry-after'), /^[1-9]\d*$/)
    }
    t.ok(elapsed < 10_000, `all answered in ${elapsed.toFixed(0)} ms`)

    t.same(coordinator.scheduler.queued, { interactive: 0, background: 0 }, 'the queue drained')
    const after = await postChat(coordinator.apiBase, {
      model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }], max_tokens: 8
    })
    t.equal(after.status, 200, 'the coordinator still serves')
  })
