import { Scheduler, type NodePool, type PoolNode } from '../src/index.ts'
import type { AdvertBody } from '@parallelix/protocol'

function node (i: number): PoolNode {
  const advert = {
    v: 1,
    peerId: `node-${i}`,
    operator: `0x${'11'.repeat(20)}`,
    addrs: [],
    models: [{ id: 'sim', modelHash: `0x${'5a'.repeat(32)}`, contextSize: 4096, sizeBytes: 1 }],
    hardware: { gpu: 'sim', devices: [], cpuCores: 1, threads: 1 },
    slots: { total: 1, free: 1 },
    tokensPerSecond: 100 + i,
    draining: false,
    issuedAt: Date.now(),
    seq: 0
  } as AdvertBody
  return { peerId: advert.peerId, advert, lastSeen: Date.now(), inflight: 0 }
}

/**
 * The scheduler with no network at all: `nodes` one-slot nodes in memory, twice as many
 * requests as slots always waiting, each released as soon as it is granted. Returns the
 * grants per second and the mean time from a release to the next grant.
 */
export async function schedulerAlone (nodes: number, grants = 20_000) {
  const list = Array.from({ length: nodes }, (_, i) => node(i))
  const pool: NodePool = { list: () => list, onChange: () => () => {} }
  const scheduler = new Scheduler(pool, { maxQueue: 4 * nodes })
  const req = { model: 'sim', minContext: 100, maxTokens: 100 }
  let granted = 0

  const started = performance.now()
  await Promise.all(Array.from({ length: 2 * nodes }, async () => {
    while (granted < grants) {
      const lease = await scheduler.acquire(req)
      granted++
      // Let the other waiters queue up behind the held slot before it frees.
      await Promise.resolve()
      lease.release()
    }
  }))
  const ms = performance.now() - started
  return { grantsPerSecond: granted / (ms / 1000), microsPerGrant: (ms * 1000) / granted }
}
