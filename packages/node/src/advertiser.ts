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
 * Publishes this node's signed capability advert at start and then on a fixed interval,
 * and immediately whenever its free slots change, so the pool sees load within moments.
 */
export class Advertiser {
  private readonly opts: AdvertiserOptions
  private timer?: NodeJS.Timeout
  private seq = 0
  private draining = false
  private publishing?: Promise<void>

  constructor (opts: AdvertiserOptions) {
    this.opts = opts
  }

  start (): void {
    void this.publish()
    const every = this.opts.intervalMs ?? ADVERT_INTERVAL_MS
    this.timer = setInterval(() => { void this.publish() }, every)
  }

  /** Publishes now, e.g. after slots changed. Concurrent calls coalesce. */
  async publish (): Promise<void> {
    if (this.publishing !== undefined) return this.publishing
    this.publishing = this.publishOnce().finally(() => { this.publishing = undefined })
    return this.publishing
  }

  /** Announces that this node takes no new work, then stops advertising. */
  async drain (): Promise<void> {
    this.draining = true
    clearInterval(this.timer)
    await this.publish()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  private async publishOnce (): Promise<void> {
    const { peer, engine, operator } = this.opts
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
