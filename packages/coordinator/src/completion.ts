import { NodeRequestError } from './mesh/errors.ts'
import type { FinalFrame } from '@parallelix/protocol'

/**
 * The part of a completion one node (or the fallback) produced. A request that failed over
 * has several; together their completion tokens are what the client received.
 */
export interface Segment {
  /** Peer id of the node, or 'fallback' for the coordinator's own hardware. */
  node: string
  operator: string
  /** The id sent to that node: the request id, suffixed `-rN` for the Nth resumption. */
  requestId: string
  /** Tokens the node evaluated as prompt (prompt plus prefill); absent without a receipt. */
  promptTokens?: number
  /** Tokens relayed from this node; equal to its receipt's count when it has one. */
  completionTokens: number
  /** The node's signed final frame; absent when the node died before sending it. */
  receipt?: FinalFrame
  /** Why the coordinator refused the receipt (see verifyReceipt); absent when accepted. */
  refused?: string
}

export interface Completion {
  requestId: string
  text: string
  finishReason: FinalFrame['finishReason']
  /** The node that produced the last segment. */
  node: string
  operator: string
  /** The last receipt. */
  final: FinalFrame
  segments: Segment[]
  /** Every receipt, in segment order. */
  receipts: FinalFrame[]
  /** What the client is charged for: its prompt once, and every token delivered. */
  usage: { promptTokens: number, completionTokens: number }
}

/** What has been delivered so far for one request, across nodes. */
export interface Progress {
  text: string
  tokens: number
  segments: Segment[]
}

/** Closes the current segment: with the node's receipt, or as delivered text without one. */
export function closeSegment (
  progress: Progress, receipt: FinalFrame | undefined, node: string, operator: string,
  requestId: string, tokensBefore: number, refused?: string
): Segment {
  const segment: Segment = receipt === undefined
    ? { node, operator, requestId, completionTokens: progress.tokens - tokensBefore }
    : {
        node,
        operator,
        requestId,
        promptTokens: receipt.usage.promptTokens,
        // A refused receipt's own count is not trusted: what was relayed is.
        completionTokens: refused === undefined
          ? receipt.usage.completionTokens
          : progress.tokens - tokensBefore,
        receipt,
        ...(refused === undefined ? {} : { refused })
      }
  progress.segments.push(segment)
  return segment
}

/** The completion of a request from its segments; throws if no segment has a receipt. */
export function finish (
  requestId: string, progress: Progress, finishReason: FinalFrame['finishReason']
): Completion {
  const { segments } = progress
  const receipts = segments.flatMap((s) => s.receipt === undefined ? [] : [s.receipt])
  const final = receipts.at(-1)
  const last = segments.at(-1)
  if (final === undefined || last === undefined) {
    throw new NodeRequestError('no node that served this request sent a receipt', 'node_failed',
      true, false)
  }
  return {
    requestId,
    text: progress.text,
    finishReason,
    node: last.node,
    operator: last.operator,
    final,
    segments,
    receipts,
    usage: deliveredUsage(segments)
  }
}

/**
 * What segments delivered, as the client is charged for it: its prompt once (from the first
 * receipt, less the text that segment was prefilled with, since a resumed node's prompt
 * includes what was already delivered) and every completion token relayed.
 */
export function deliveredUsage (segments: Segment[]): Completion['usage'] {
  let promptTokens = 0
  let deliveredBefore = 0
  for (const s of segments) {
    if (s.promptTokens !== undefined) {
      promptTokens = Math.max(0, s.promptTokens - deliveredBefore)
      break
    }
    deliveredBefore += s.completionTokens
  }
  return {
    promptTokens,
    completionTokens: segments.reduce((n, s) => n + s.completionTokens, 0)
  }
}
