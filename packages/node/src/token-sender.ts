import type { TokenFrame } from '@parallelix/protocol'
import type { FramedStream } from '@parallelix/protocol/mesh'

/** Most tokens one frame may carry (the wire schema's bound). */
const MAX_TOKENS_PER_FRAME = 64

/**
 * Sends generated text as token frames. A token produced while no write is pending goes
 * out at once; tokens produced while one is in flight are merged into the next frame, so
 * a slow link costs fewer, larger frames instead of a growing queue.
 */
export class TokenSender {
  private readonly framed: FramedStream
  private pending: TokenFrame | undefined
  private inFlight: Promise<void> | undefined
  private failure: Error | undefined

  constructor (framed: FramedStream) {
    this.framed = framed
  }

  push (text: string, tokens: number): void {
    if (this.pending !== undefined && this.pending.tokens + tokens <= MAX_TOKENS_PER_FRAME) {
      this.pending.text += text
      this.pending.tokens += tokens
    } else {
      if (this.pending !== undefined) this.queue(this.pending)
      this.pending = { type: 'token', text, tokens }
    }
    if (this.inFlight === undefined) this.drain()
  }

  /** Resolves once every pushed token is written; rejects if a write failed. */
  async flush (): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight
    if (this.failure !== undefined) throw this.failure
  }

  private readonly overflow: TokenFrame[] = []

  private queue (frame: TokenFrame): void {
    this.overflow.push(frame)
  }

  private drain (): void {
    const frame = this.overflow.shift() ?? this.pending
    if (frame === undefined) return
    if (frame === this.pending) this.pending = undefined
    this.inFlight = this.framed.write(frame).then(
      () => { this.inFlight = undefined; this.drain() },
      (err: Error) => { this.inFlight = undefined; this.failure ??= err }
    )
  }
}
