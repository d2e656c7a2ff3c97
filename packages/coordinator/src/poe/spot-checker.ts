import { setTimeout as sleep } from 'node:timers/promises'
import { canonicalJson, createLogger, hashOutput } from '@parallelix/protocol'
import { keccak256, stringToBytes, type Address, type Hex } from 'viem'
import { FALLBACK_NODE } from '../fallback/fallback-server.ts'
import type { Completion, CompletionRequest, Dispatcher } from '../dispatch.ts'
import type { SpotCheck, SpotCheckStore, SpotReference } from './spot-check-store.ts'

const log = createLogger('coordinator:spot-check')

export const DEFAULT_SPOT_CHECK_MAX_ATTEMPTS = 5
export const DEFAULT_SPOT_CHECK_RETRY_MS = 2_000
export const DEFAULT_SPOT_CHECK_POLL_MS = 500

export interface SpotCheckOptions {
  /** Fraction of deterministic requests (temperature 0 or a seed) replayed; 0 turns it off. */
  rate: number
  /** Basis points of a caught operator's stake to slash; 0 (the default) never slashes. */
  slashBps?: bigint
  /** Replays tried before a check that finds no reference is called inconclusive. */
  maxAttempts?: number
  /** Wait between two attempts of one check. */
  retryMs?: number
  pollMs?: number
  /** Source of the sampling decision; Math.random by default. */
  random?: () => number
}

export interface SpotCheckHooks {
  /** A node was caught: e.g. stop giving it work. */
  onCaught?: (node: string) => void
  /** Slashes `bps` of the operator's stake for the evidence; absent without a chain. */
  slash?: (operator: Address, bps: bigint, evidenceHash: Hex) =>
  Promise<{ amount: bigint, txHash: Hex } | null>
}

/**
 * Spot checks: a sampled share of deterministic requests is replayed on other hardware —
 * the coordinator's own fallback when it serves the model, else another node — and the
 * output hashes compared with the one the node signed. A node is caught when the trusted
 * fallback disagrees with it, or when two other nodes agree with each other and not with it;
 * a lone disagreeing node proves nothing (inconclusive). A caught node's receipts are
 * withheld from settlement (see ReceiptCollector), the evidence is stored with its hash, and
 * with `slashBps` the operator is slashed on chain with that hash.
 *
 * Replays are the coordinator's own requests: nobody is charged for them and their receipts
 * are not settled.
 */
export class SpotChecker {
  private readonly opts: Required<Omit<SpotCheckOptions, 'slashBps'>> & { slashBps: bigint }
  private controller?: AbortController
  private loop?: Promise<void>

  constructor (
    private readonly store: SpotCheckStore,
    private readonly dispatcher: Dispatcher,
    options: SpotCheckOptions,
    private readonly hooks: SpotCheckHooks = {}
  ) {
    if (!(options.rate >= 0 && options.rate <= 1)) {
      throw new RangeError('the spot check rate must be between 0 and 1')
    }
    this.opts = {
      rate: options.rate,
      slashBps: options.slashBps ?? 0n,
      maxAttempts: options.maxAttempts ?? DEFAULT_SPOT_CHECK_MAX_ATTEMPTS,
      retryMs: options.retryMs ?? DEFAULT_SPOT_CHECK_RETRY_MS,
      pollMs: options.pollMs ?? DEFAULT_SPOT_CHECK_POLL_MS,
      random: options.random ?? Math.random
    }
  }

  /**
   * Pass as the dispatcher's onCompleted: chooses the request for a check, and stores it
   * (synchronously, before the request is metered) so its receipt is held until a verdict.
   */
  readonly consider = (body: CompletionRequest, completion: Completion): void => {
    if (this.opts.rate === 0 || !isDeterministic(body)) return
    const [segment, ...more] = completion.segments
    if (segment?.receipt === undefined || more.length > 0 || segment.refused !== undefined) return
    if (segment.node === FALLBACK_NODE) return
    if (completion.finishReason !== 'stop' && completion.finishReason !== 'length') return
    if (this.opts.random() >= this.opts.rate) return
    const { receipt, hash } = segment.receipt
    try {
      this.store.schedule({
        requestId: segment.requestId,
        node: segment.node,
        operator: receipt.operator,
        model: receipt.model,
        modelHash: receipt.modelHash,
        receiptHash: hash,
        outputHash: receipt.outputHash,
        request: body,
        createdAt: Date.now()
      })
      log.debug({ requestId: segment.requestId, node: segment.node }, 'spot check scheduled')
    } catch (err) {
      log.error({ err, requestId: segment.requestId }, 'could not schedule a spot check')
    }
  }

  start (): void {
    if (this.loop !== undefined || this.opts.rate === 0) return
    const controller = this.controller = new AbortController()
    this.loop = (async () => {
      while (!controller.signal.aborted) {
        await this.runDue(controller.signal).catch((err: unknown) => {
          log.warn({ err: (err as Error).message }, 'spot check pass failed')
        })
        await sleep(this.opts.pollMs, undefined, { signal: controller.signal }).catch(() => {})
      }
    })()
    log.info({ rate: this.opts.rate, slashBps: this.opts.slashBps.toString() },
      'spot checks on')
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
  }

  /** Runs every scheduled check that is due, one at a time. */
  async runDue (signal?: AbortSignal): Promise<void> {
    for (const check of this.store.scheduled(16)) {
      if (signal?.aborted === true) return
      if (Date.now() < check.createdAt + check.attempts * this.opts.retryMs) continue
      await this.check(check, signal)
    }
  }

  private async check (c: SpotCheck, signal?: AbortSignal): Promise<void> {
    if (c.request === null) return
    const clog = log.child({ requestId: c.requestId, node: c.node })
    const first = await this.replay(c, [c.node], true, signal)
    if (first === undefined) {
      const attempts = this.store.retryLater(c.requestId)
      if (attempts >= this.opts.maxAttempts) {
        this.store.decide(c.requestId, 'inconclusive', [], null, Date.now())
        clog.info({ attempts }, 'spot check inconclusive: no other hardware could replay it')
      }
      return
    }
    if (first.outputHash === c.outputHash) {
      this.store.decide(c.requestId, 'passed', [first], null, Date.now())
      clog.debug({ reference: first.node }, 'spot check passed')
      return
    }
    if (first.node === FALLBACK_NODE) return this.caught(c, [first])

    // Another node disagrees: a third opinion decides which of the two is off.
    const second = await this.replay(c, [c.node, first.node], false, signal)
    const references = second === undefined ? [first] : [first, second]
    if (second !== undefined && second.outputHash === first.outputHash) {
      return this.caught(c, references)
    }
    const verdict = second?.outputHash === c.outputHash ? 'passed' : 'inconclusive'
    this.store.decide(c.requestId, verdict, references, null, Date.now())
    clog.info({ verdict, references: references.map((r) => r.node) },
      'spot check: other nodes disagree with each other')
  }

  private async caught (c: SpotCheck, references: SpotReference[]): Promise<void> {
    const evidence = {
      kind: 'parallelix.spot_check',
      requestId: c.requestId,
      node: c.node,
      operator: c.operator,
      model: c.model,
      modelHash: c.modelHash,
      receiptHash: c.receiptHash,
      outputHash: c.outputHash,
      references
    }
    const evidenceHash = keccak256(stringToBytes(canonicalJson(evidence)))
    this.store.decide(c.requestId, 'failed', references, evidenceHash, Date.now())
    log.warn({ ...evidence, evidenceHash }, 'spot check failed: the node\'s output differs ' +
      'from the reference; its receipts are withheld')
    this.hooks.onCaught?.(c.node)
    if (this.opts.slashBps === 0n || this.hooks.slash === undefined) return
    try {
      const slashed = await this.hooks.slash(c.operator as Address, this.opts.slashBps,
        evidenceHash)
      if (slashed === null) return
      this.store.recordSlash(c.requestId, slashed.amount, slashed.txHash)
      log.warn({ operator: c.operator, amount: slashed.amount.toString(),
        txHash: slashed.txHash, evidenceHash }, 'operator slashed')
    } catch (err) {
      log.error({ operator: c.operator, err: (err as Error).message }, 'slashing failed')
    }
  }

  /** Replays the checked request elsewhere; undefined when no usable answer came back. */
  private async replay (
    c: SpotCheck, exclude: string[], preferFallback: boolean, signal?: AbortSignal
  ): Promise<SpotReference | undefined> {
    if (c.request === null) return undefined
    try {
      const replayId = `spot-${c.requestId}-${exclude.length}`.slice(0, 128)
      const done = await this.dispatcher.complete(c.request, {
        exclude, preferFallback, priority: 'background', observe: false, signal
      }, replayId)
      const [segment, ...more] = done.segments
      if (segment?.receipt === undefined || more.length > 0 || segment.refused !== undefined ||
        done.finishReason === 'cancelled') {
        return undefined
      }
      const { receipt, hash } = segment.receipt
      return {
        node: segment.node,
        operator: receipt.operator,
        modelHash: receipt.modelHash,
        outputHash: hashOutput(done.text),
        receiptHash: hash
      }
    } catch (err) {
      log.debug({ requestId: c.requestId, err: (err as Error).message }, 'replay failed')
      return undefined
    }
  }
}

/** Whether a request's output is reproducible: greedy, or sampled with a fixed seed. */
export function isDeterministic (body: CompletionRequest): boolean {
  return body.params.temperature === 0 || body.params.seed !== undefined
}
