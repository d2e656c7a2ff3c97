import type { PoolNode } from '../mesh/registry.ts'
import type { NodeStats } from './node-stats.ts'

/** Assumed time to first token of a node that has not served this coordinator yet. */
const DEFAULT_TTFT_MS = 100

/** Assumed speed of a node that advertises none. */
const DEFAULT_TOKENS_PER_SECOND = 20

/** A node delivering less than this share of its advertised speed is penalised... */
const DRIFT_RATIO = 0.5

/** ...by this factor, on top of being scored at its measured speed. */
const DRIFT_PENALTY = 2

/** Slots this coordinator may still use on the node. */
export function freeSlots (node: PoolNode): number {
  return node.advert.slots.total - node.inflight
}

/**
 * Expected milliseconds until a request of `maxTokens` would finish on `node` if it started
 * now, scaled up by recent failures and by speed drift and down by standing. Lower wins.
 * Speed is the node's measured throughput shared among its requests, so load, speed and
 * latency trade against each other in one unit.
 */
export function expectedCost (
  node: PoolNode, stats: NodeStats | undefined, maxTokens: number, now: number
): number {
  const standing = stats?.standing ?? 1
  if (standing <= 0) return Infinity

  const advertised = node.advert.tokensPerSecond > 0
    ? node.advert.tokensPerSecond
    : DEFAULT_TOKENS_PER_SECOND
  const measured = stats?.tokensPerSecond
  const rate = measured ?? advertised
  const share = node.inflight + 1
  let cost = (stats?.ttftMs ?? DEFAULT_TTFT_MS) + (maxTokens * share / rate) * 1000

  if (measured !== undefined && measured < advertised * DRIFT_RATIO) cost *= DRIFT_PENALTY
  cost *= 1 + (stats?.failures(now) ?? 0)
  return cost / standing
}
