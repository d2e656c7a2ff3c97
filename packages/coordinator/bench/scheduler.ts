import { measureDetection } from './detection.ts'
import { realMakespan, simulatedMakespan, type MakespanRow } from './makespan.ts'
import { schedulerAlone } from './scheduler-alone.ts'

/** Sizes of the simulated pool; 64 is the scale the issue asks for. */
const SIM_NODES = [1, 4, 16, 64]
/** Each simulated item takes 2 s on its node: 100 tokens at 50 tokens/s. */
const SIM_ITEMS_PER_NODE = 4
const SIM_TOKENS = 100
const SIM_RATE = 50
const REAL_NODES = [1, 2, 4]
const REAL_ITEMS = 24
const REAL_TOKENS = 128

function row (r: MakespanRow): string {
  const ratio = r.makespanMs / r.idealMs
  return `  ${String(r.nodes).padStart(5)}  ${String(r.items).padStart(5)}  ` +
    `${(r.makespanMs / 1000).toFixed(2).padStart(7)} s  ` +
    `${(r.idealMs / 1000).toFixed(2).padStart(7)} s  ${ratio.toFixed(3).padStart(6)}×  ` +
    `${(ratio <= 1.1 ? 'ok' : 'over').padEnd(4)}  ` +
    `${`${r.spread[0]}..${r.spread[1]}`.padStart(6)}  ` +
    `${`${r.gapMs[0].toFixed(0)} / ${r.gapMs[1].toFixed(0)} ms`.padStart(16)}  ` +
    `${r.handoffMs.toFixed(2).padStart(6)} ms`
}

const HEADER = '  nodes  items  makespan     ideal    ratio  ≤1.1  items/node' +
  '  slot idle p50/p95  scheduler handoff p50'

const ms = (values: number[]): string => values.map((v) => v.toFixed(0)).join(', ')

/**
 * Batch makespan against the ideal (total work / nodes) over simulated nodes up to 64 and
 * over 1, 2 and 4 real nodes, then how fast a killed or frozen node leaves the pool.
 */
export async function benchScheduler (): Promise<string> {
  const lines = ['scheduler: batch makespan vs ideal (total work / nodes)', '']

  lines.push('the scheduler alone, in memory (one-slot nodes, twice as many requests waiting)')
  for (const nodes of SIM_NODES) {
    const r = await schedulerAlone(nodes)
    lines.push(`  ${String(nodes).padStart(5)} nodes  ${Math.round(r.grantsPerSecond)} grants/s  ` +
      `${r.microsPerGrant.toFixed(1)} µs per release-to-grant`)
  }
  lines.push('')

  lines.push(`simulated nodes (real libp2p, protocol and signed receipts; 1 slot each, ` +
    `${SIM_RATE} tok/s, ${SIM_TOKENS} tokens per item, ${SIM_ITEMS_PER_NODE} items per node)`,
  HEADER)
  for (const nodes of SIM_NODES) {
    lines.push(row(await simulatedMakespan(nodes, SIM_ITEMS_PER_NODE, SIM_TOKENS, SIM_RATE)))
  }

  lines.push('', `real nodes (stories260K, 1 slot and 1 thread each, ${REAL_ITEMS} items of ` +
    `${REAL_TOKENS} tokens; ideal from the 1-node run)`, HEADER)
  const single = await realMakespan(1, REAL_ITEMS, REAL_TOKENS)
  lines.push(row(single))
  for (const nodes of REAL_NODES.slice(1)) {
    lines.push(row(await realMakespan(nodes, REAL_ITEMS, REAL_TOKENS, single.makespanMs)))
  }

  const d = await measureDetection()
  const worst = Math.max(...d.killedMs, ...d.frozenMs)
  lines.push('', 'dead-node detection (real node processes, time until the node leaves the pool)',
    `  kill -9:          ${ms(d.killedMs)} ms (connection closes)`,
    `  SIGSTOP (frozen): ${ms(d.frozenMs)} ms (liveness probe every 750 ms, 1.5 s timeout)`,
    `  SIGSTOP, advert TTL only (no pings): ${d.frozenTtlOnlyMs.toFixed(0)} ms`,
    `  worst ${worst.toFixed(0)} ms (goal ≤ 3000 ms) ${worst <= 3000 ? 'ok' : 'over'}`)
  lines.push('', 'slot idle: node clock, from one item\'s final frame to the next item\'s ' +
    'request; scheduler handoff: from a slot\'s release to its grant to the next item.',
  'The rest of the idle time is opening the next stream (one multistream-select round trip ' +
    'through both event loops), which grows with CPU load on a small shared machine.')
  return lines.join('\n')
}
