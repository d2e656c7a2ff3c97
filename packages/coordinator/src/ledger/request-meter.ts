import { createLogger } from '@parallelix/protocol'
import { deliveredUsage } from '../completion.ts'
import type { Completion, CompletionRequest, Segment } from '../dispatch.ts'
import type { Ledger } from './ledger.ts'
import type { Metering } from './metering.ts'

const log = createLogger('coordinator:metering')

/** Who pays for a request: absent when auth is off, and the request is priced, not charged. */
export interface Payer {
  ledger: Ledger
  account: string
  apiKeyId: string | null
}

type Usage = Completion['usage']

/**
 * Meters one chat request. `open` reserves its maximum cost before dispatch (and throws
 * InsufficientCreditError if it cannot); `complete` or `fail` then charges what was
 * delivered and releases the rest, exactly once.
 *
 * What is charged is the usage the dispatcher reports: the prompt once, plus every token
 * relayed, each node's count being the one its signed receipt states and the coordinator's
 * frame count confirmed. For a client that disconnects this is what the node produced until
 * it handled the cancel frame: tokens relayed before the disconnect was noticed, plus those
 * already in flight, which its receipt covers.
 */
export class RequestMeter {
  private readonly segments: Segment[] = []
  private closed = false

  private constructor (
    private readonly metering: Metering,
    private readonly model: string,
    private readonly requestId: string,
    private readonly payer: Payer | undefined
  ) {}

  static async open (
    metering: Metering, request: CompletionRequest, requestId: string, payer?: Payer
  ): Promise<RequestMeter> {
    if (payer !== undefined) {
      const amount = metering.maxCost(request.model, request.messages, request.params.maxTokens,
        request.prefill)
      await payer.ledger.reserve({
        account: payer.account, requestId, apiKeyId: payer.apiKeyId, model: request.model, amount
      })
    }
    return new RequestMeter(metering, request.model, requestId, payer)
  }

  /** Pass as the dispatcher's onSegment: what a failed request delivered is charged. */
  readonly onSegment = (segment: Segment): void => {
    this.segments.push(segment)
  }

  /** Charges a finished (or cancelled) completion; returns the cost, charged or not. */
  async complete (c: Completion): Promise<bigint> {
    const cost = this.metering.cost(this.model, c.usage.promptTokens, c.usage.completionTokens)
    return this.close({
      status: c.finishReason === 'cancelled' ? 'cancelled' : 'completed',
      cost,
      usage: c.usage,
      node: c.node,
      operator: c.operator,
      receipts: recordedReceipts(c.segments)
    })
  }

  /** Charges what a failed request delivered before failing; never throws. */
  async fail (): Promise<void> {
    if (this.closed) return
    const usage = deliveredUsage(this.segments)
    const cost = this.metering.cost(this.model, usage.promptTokens, usage.completionTokens)
    const last = this.segments.at(-1)
    await this.close({
      status: 'failed',
      cost,
      usage,
      node: last?.node,
      operator: last?.operator,
      receipts: recordedReceipts(this.segments)
    }).catch((err: unknown) => {
      log.error({ requestId: this.requestId, err }, 'could not settle a failed request')
    })
  }

  private async close (outcome: {
    status: 'completed' | 'cancelled' | 'failed'
    cost: bigint
    usage: Usage
    node?: string
    operator?: string
    receipts: unknown[]
  }): Promise<bigint> {
    if (this.closed) throw new Error(`request ${this.requestId} was already metered`)
    this.closed = true
    if (this.payer === undefined) return outcome.cost
    const charged = await this.payer.ledger.settle({
      requestId: this.requestId,
      status: outcome.status,
      cost: outcome.cost,
      promptTokens: outcome.usage.promptTokens,
      completionTokens: outcome.usage.completionTokens,
      node: outcome.node,
      operator: outcome.operator,
      receipt: outcome.receipts
    })
    log.debug({ requestId: this.requestId, status: outcome.status,
      charged: charged.toString() }, 'metered')
    return charged
  }
}

/**
 * The receipts a request's record keeps, in segment order: each segment's signed final
 * frame, with `refused` (the reason) on those the coordinator did not accept. Settlement
 * pays each accepted one and refunds the rest of the charge.
 */
export function recordedReceipts (segments: Segment[]): unknown[] {
  return segments.flatMap((s) => {
    if (s.receipt === undefined) return []
    return [s.refused === undefined ? s.receipt : { ...s.receipt, refused: s.refused }]
  })
}
