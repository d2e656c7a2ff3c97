import type { Completion, Segment } from '../dispatch.ts'

/** The API's name for a segment: snake_case, receipts with their PoE. */
export function segmentView (s: Segment) {
  return {
    node: s.node,
    operator: s.operator,
    request_id: s.requestId,
    prompt_tokens: s.promptTokens ?? null,
    completion_tokens: s.completionTokens,
    poe: s.receipt === undefined ? null : { hash: s.receipt.hash, signature: s.receipt.signature },
    receipt: s.receipt?.receipt ?? null
  }
}

/** The `parallelix` object of every completion and batch item: who served it, its PoE. */
export function parallelixView (c: Completion) {
  return {
    request_id: c.requestId,
    node: c.node,
    operator: c.operator,
    poe: { hash: c.final.hash, signature: c.final.signature },
    receipt: c.final.receipt,
    segments: c.segments.map(segmentView)
  }
}
