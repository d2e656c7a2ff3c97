import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startNode, type RunningNode } from '@parallelix/node'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import type { SimNodeOptions } from './sim-node.ts'

export const MODEL = process.env.PARALLELIX_TEST_MODEL ??
  resolve(import.meta.dirname, '../../../../shared/models/stories260K.gguf')
const SIM_HASH = `0x${'5a'.repeat(32)}`

export interface MakespanRow {
  nodes: number
  items: number
  makespanMs: number
  idealMs: number
  /** Fewest and most items one node served. */
  spread: [number, number]
  /** Median and 95th percentile of a slot's idle time between two items, node clock. */
  gapMs: [number, number]
  /** Median time from a slot's release to the scheduler granting it to the next item. */
  handoffMs: number
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

async function withCoordinator<T> (run: (c: RunningCoordinator) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'px-bench-sched-'))
  const coordinator = await startCoordinator({
    dataDir: dir, httpPort: 0, auth: false, queueTimeoutMs: 120_000, maxQueue: 4096
  })
  try {
    return await run(coordinator)
  } finally {
    await coordinator.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function waitForNodes (c: RunningCoordinator, count: number): Promise<void> {
  const deadline = Date.now() + 60_000
  while (c.registry.list().length < count) {
    if (Date.now() > deadline) {
      throw new Error(`only ${c.registry.list().length} of ${count} nodes joined`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Submits one batch and waits for it; returns the milliseconds from submit to completion. */
/**
 * Records, per node, how long the scheduler takes from a slot's release to granting it to
 * the next waiting request: the scheduler's own share of a slot's idle time.
 */
function watchHandoffs (c: RunningCoordinator): number[] {
  const handoffs: number[] = []
  const releasedAt = new Map<string, number>()
  const scheduler = c.scheduler
  const acquire = scheduler.acquire.bind(scheduler)
  scheduler.acquire = async (req, options) => {
    const lease = await acquire(req, options)
    const peerId = lease.node.peerId
    const freedAt = releasedAt.get(peerId)
    if (freedAt !== undefined) handoffs.push(performance.now() - freedAt)
    releasedAt.delete(peerId)
    const release = lease.release
    let released = false
    lease.release = () => {
      if (!released) releasedAt.set(peerId, performance.now())
      released = true
      release()
    }
    return lease
  }
  return handoffs
}

interface BatchRun {
  ms: number
  perNode: Map<string, number>
  /** Per node, the time its slot sat idle between one item's end and the next's start. */
  gapsMs: number[]
}

/** Submits one batch and waits for it; returns the milliseconds from submit to completion. */
async function runBatch (
  c: RunningCoordinator, model: string, items: number, maxTokens: number
): Promise<BatchRun> {
  const inputs = Array.from({ length: items }, (_, i) => `Once upon a time ${i}`)
  const started = performance.now()
  const batch = c.batches.submit('bench', { model, max_tokens: maxTokens, temperature: 0, inputs })
  if (batch === undefined) throw new Error('the batch was not stored')
  for (;;) {
    const summary = c.batches.list('bench').find((b) => b.id === batch.id)
    if (summary?.status === 'completed') break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const ms = performance.now() - started

  const byNode = new Map<string, Array<{ startedAt: number, finishedAt: number }>>()
  for (const item of c.batches.get('bench', batch.id)?.items ?? []) {
    const px = item.parallelix as { node: string, receipt: { startedAt: number,
      finishedAt: number } } | null
    if (px === null) continue
    byNode.set(px.node, [...byNode.get(px.node) ?? [], px.receipt])
  }
  const gapsMs: number[] = []
  for (const receipts of byNode.values()) {
    receipts.sort((a, b) => a.startedAt - b.startedAt)
    for (let i = 1; i < receipts.length; i++) {
      gapsMs.push(receipts[i]!.startedAt - receipts[i - 1]!.finishedAt)
    }
  }
  const perNode = new Map([...byNode].map(([node, r]) => [node, r.length]))
  return { ms, perNode, gapsMs }
}

function spread (perNode: Map<string, number>, nodes: number): [number, number] {
  const counts = [...perNode.values()]
  return [counts.length < nodes ? 0 : Math.min(...counts), Math.max(...counts)]
}

/** Starts `count` simulated nodes in a child process; resolves once all of them serve. */
async function startSimFleet (count: number, options: Omit<SimNodeOptions, 'slots'>) {
  const script = join(import.meta.dirname, 'sim-fleet.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script,
    JSON.stringify({ ...options, slots: 1, count })], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const ready = await new Promise<string[]>((resolve, reject) => {
    lines.once('line', (line) => { resolve((JSON.parse(line) as { ready: string[] }).ready) })
    child.once('exit', (code) => { reject(new Error(`the sim fleet exited with ${code}`)) })
  })
  return {
    peerIds: ready,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/**
 * Makespan of a batch over `nodes` simulated nodes of one slot each, every item taking
 * `maxTokens / tokensPerSecond` seconds on its node: ideal = items × that / nodes.
 */
export async function simulatedMakespan (
  nodes: number, itemsPerNode: number, maxTokens: number, tokensPerSecond: number
): Promise<MakespanRow> {
  return withCoordinator(async (c) => {
    const fleet = await startSimFleet(nodes, {
      bootstrap: c.multiaddrs, modelId: 'sim', modelHash: SIM_HASH, tokensPerSecond
    })
    try {
      await waitForNodes(c, nodes)
      const items = nodes * itemsPerNode
      const handoffs = watchHandoffs(c)
      const { ms, perNode, gapsMs } = await runBatch(c, 'sim', items, maxTokens)
      return {
        nodes,
        items,
        makespanMs: ms,
        idealMs: (items * maxTokens / tokensPerSecond) * 1000 / nodes,
        spread: spread(perNode, nodes),
        gapMs: [percentile(gapsMs, 0.5), percentile(gapsMs, 0.95)],
        handoffMs: percentile(handoffs, 0.5)
      }
    } finally {
      await fleet.stop()
    }
  })
}

/**
 * Makespan of a batch over `nodes` real nodes (stories260K, one slot, one thread each) in
 * this process. `singleNodeMs`, the same batch on one node, is the total work.
 */
export async function realMakespan (
  nodes: number, items: number, maxTokens: number, singleNodeMs?: number
): Promise<MakespanRow> {
  return withCoordinator(async (c) => {
    const dir = await mkdtemp(join(tmpdir(), 'px-bench-nodes-'))
    const running: RunningNode[] = []
    try {
      running.push(...await Promise.all(Array.from({ length: nodes }, async (_, i) => startNode({
        dataDir: join(dir, `n${i}`), modelPath: MODEL, modelId: 'stories260K',
        bootstrap: c.multiaddrs, threads: 1, slots: 1, contextSize: 512, tokensPerSecond: 1000
      }))))
      await waitForNodes(c, nodes)
      const handoffs = watchHandoffs(c)
      const { ms, perNode, gapsMs } = await runBatch(c, 'stories260K', items, maxTokens)
      return {
        nodes,
        items,
        makespanMs: ms,
        idealMs: (singleNodeMs ?? ms) / nodes,
        spread: spread(perNode, nodes),
        gapMs: [percentile(gapsMs, 0.5), percentile(gapsMs, 0.95)],
        handoffMs: percentile(handoffs, 0.5)
      }
    } finally {
      await Promise.all(running.map(async (n) => n.stop({ graceMs: 0 })))
      await rm(dir, { recursive: true, force: true })
    }
  })
}
