import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnLogged, type ManagedProcess } from '../../../scripts/lib/processes.ts'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import { MODEL } from './makespan.ts'

const NODE_BIN = resolve(import.meta.dirname, '../../node/bin/parallelix-node.js')

export interface DetectionResult {
  /** Milliseconds from SIGKILL until the node left the pool, per node. */
  killedMs: number[]
  /** Milliseconds from SIGSTOP until the node left the pool, per node. */
  frozenMs: number[]
  /** The same for a frozen node when only the advert TTL can catch it. */
  frozenTtlOnlyMs: number
}

async function until (check: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - started
}

/**
 * Time until a node that was killed (kill -9) or frozen (SIGSTOP) leaves the pool, with
 * real node processes: frozen `rounds` times, then killed. A coordinator without liveness
 * pings shows what the advert TTL alone gives.
 */
export async function measureDetection (nodes = 2, rounds = 3): Promise<DetectionResult> {
  const dir = await mkdtemp(join(tmpdir(), 'px-bench-detect-'))
  const procs: ManagedProcess[] = []
  const coordinators: RunningCoordinator[] = []
  try {
    const withPings = await startCoordinator({ dataDir: join(dir, 'c1'), httpPort: 0, auth: false })
    const ttlOnly = await startCoordinator({
      dataDir: join(dir, 'c2'), httpPort: 0, auth: false, liveness: false
    })
    coordinators.push(withPings, ttlOnly)
    const started = await Promise.all(Array.from({ length: nodes }, async (_, i) => {
      const proc = spawnLogged(`n${i}`, process.execPath, [
        NODE_BIN, '--model', MODEL, '--data-dir', join(dir, `n${i}`), '--threads', '1',
        '--slots', '1', '--context-size', '256',
        ...withPings.multiaddrs.flatMap((m) => ['--bootstrap', m]),
        ...ttlOnly.multiaddrs.flatMap((m) => ['--bootstrap', m])
      ], join(dir, `n${i}.log`))
      procs.push(proc)
      const line = await proc.waitForLog<{ peerId: string }>((l) => l.msg === 'node serving',
        180_000)
      return { peerId: line.peerId, proc }
    }))
    const inPool = (c: RunningCoordinator, peerId: string): boolean =>
      c.registry.get(peerId) !== undefined
    await until(() => started.every((n) => inPool(withPings, n.peerId) &&
      inPool(ttlOnly, n.peerId)), 30_000)

    const frozenMs: number[] = []
    for (let r = 0; r < rounds; r++) {
      for (const n of started) {
        n.proc.child.kill('SIGSTOP')
        frozenMs.push(await until(() => !inPool(withPings, n.peerId), 20_000))
        n.proc.child.kill('SIGCONT')
        await until(() => inPool(withPings, n.peerId) && inPool(ttlOnly, n.peerId), 20_000)
      }
    }

    const first = started[0]!
    first.proc.child.kill('SIGSTOP')
    const frozenTtlOnlyMs = await until(() => !inPool(ttlOnly, first.peerId), 20_000)
    first.proc.child.kill('SIGCONT')
    await until(() => inPool(withPings, first.peerId) && inPool(ttlOnly, first.peerId), 20_000)

    const killedMs: number[] = []
    for (const n of started) {
      n.proc.child.kill('SIGKILL')
      killedMs.push(await until(() => !inPool(withPings, n.peerId), 20_000))
    }
    return { killedMs, frozenMs, frozenTtlOnlyMs }
  } finally {
    await Promise.all(procs.map(async (p) => {
      p.child.kill('SIGCONT')
      await p.stop('SIGKILL')
    }))
    for (const c of coordinators) await c.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
