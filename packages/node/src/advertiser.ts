import {
  ADVERT_INTERVAL_MS, ADVERT_TOPIC, createLogger, encodeMessage, MAX_ADVERT_BYTES, signAdvert,
  type AdvertBody
} from '@parallelix/protocol'
import type { Peer } from '@parallelix/protocol/mesh'
import type { InferenceEngine } from './engine/engine.ts'
import type { LocalAccount } from 'viem'

const log = createLogger('node:advertiser')

export interface AdvertiserOptions {
  peer: Peer
  engine: InferenceEngine
  operator: LocalAccount
  tokensPerSecond: number
  intervalMs?: number
}

/**
 * Slot changes closer together than this are announced once, by a trailing advert: each
 * advert costs every subscriber a signature check, and a busy node's slots change with
 * every request (the coordinator counts its own in-flight requests meanwhile).
 */
export const MIN_SLOT_ADVERT_GAP_MS = 250

/**
 * Publishes this node's signed capability advert at start and then on a fixed interval,
 * and soon after its free slots change (at most every MIN_SLOT_ADVERT_GAP_MS), so the pool
 * sees load within moments.
 */
export class Advertiser {
  private readonly opts: AdvertiserOptions
  private timer?: NodeJS.Timeout
  private trailing?: NodeJS.Timeout
  private lastPublishedAt = 0
  private seq = 0
  private draining = false
  private publishing?: Promise<void>
  private again = false

  constructor (opts: AdvertiserOptions) {
    this.opts = opts
  }

  start (): void {
    void this.publish()
    const every = this.opts.intervalMs ?? ADVERT_INTERVAL_MS
    this.timer = setInterval(() => { void this.publish() }, every)
  }

  /**
   * Publishes now. A call while an advert is being signed and sent does not start another;
   * it makes one more follow, so the last state is always announced.
   */
  async publish (): Promise<void> {
    if (this.publishing !== undefined) {
      this.again = true
      return this.publishing
    }
    this.publishing = (async () => {
      do {
        this.again = false
        await this.publishOnce()
      } while (this.again)
    })().finally(() => { this.publishing = undefined })
    return this.publishing
  }

  /** Announces changed slots: now, or in one trailing advert if one went out just before. */
  slotsChanged (): void {
    if (this.trailing !== undefined) return
    const wait = this.lastPublishedAt + MIN_SLOT_ADVERT_GAP_MS - Date.now()
    if (wait <= 0) {
      void this.publish()
      return
    }
    this.trailing = setTimeout(() => {
      this.trailing = undefined
      void this.publish()
    }, wait)
  }

  /** Announces that this node takes no new work, then stops advertising. */
  async drain (): Promise<void> {
    this.draining = true
    clearInterval(this.timer)
    clearTimeout(this.trailing)
    this.trailing = undefined
    await this.publish()
  }

  stop (): void {
    clearInterval(this.timer)
    clearTimeout(this.trailing)
    this.trailing = undefined
  }

  private async publishOnce (): Promise<void> {
    const { peer, engine, operator } = this.opts
    this.lastPublishedAt = Date.now()
    const body: AdvertBody = {
      v: 1,
      peerId: peer.peerId.toString(),
      operator: operator.address,
      addrs: peer.getMultiaddrs().map((ma) => ma.toString()).slice(0, 16),
      models: [engine.model],
      hardware: await engine.hardware(),
      slots: { total: engine.totalSlots, free: this.draining ? 0 : engine.freeSlots },
      tokensPerSecond: this.opts.tokensPerSecond,
      draining: this.draining,
      issuedAt: Date.now(),
      seq: this.seq++
    }
    try {
      const advert = await signAdvert(body, operator)
      await peer.services.pubsub.publish(ADVERT_TOPIC, encodeMessage(advert, MAX_ADVERT_BYTES))
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'advert publish failed')
    }
  }
}
