import type { Scheduler } from '../scheduler/scheduler.ts'
import { FALLBACK_NODE } from '../fallback/fallback-server.ts'

/** Each refused receipt halves the node's standing, so the scheduler picks it less often... */
export const REFUSED_RECEIPT_STANDING_FACTOR = 0.5
/** ...down to this floor: a node that is only misconfigured can still serve when alone. */
export const MIN_REFUSED_STANDING = 0.05

/** Lowers the standing of a node whose receipt settlement refused; the fallback has none. */
export function lowerStanding (scheduler: Scheduler, node: string): void {
  if (node === FALLBACK_NODE) return
  const current = scheduler.standing(node)
  const lowered = Math.max(MIN_REFUSED_STANDING, current * REFUSED_RECEIPT_STANDING_FACTOR)
  if (lowered < current) scheduler.setStanding(node, lowered)
}
