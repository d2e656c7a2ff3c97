import { CapacityExhaustedError } from '../scheduler/errors.ts'

/**
 * A counting semaphore with a bounded, timed FIFO queue: at most `slots` holders, at most
 * `maxQueue` waiters, each waiting at most `timeoutMs` before a CapacityExhaustedError.
 */
export class SlotGate {
  private readonly slots: number
  private readonly maxQueue: number
  private readonly timeoutMs: number
  private held = 0
  private readonly waiters: Array<() => void> = []

  constructor (slots: number, options: { maxQueue: number, timeoutMs: number }) {
    this.slots = slots
    this.maxQueue = options.maxQueue
    this.timeoutMs = options.timeoutMs
  }

  get free (): number {
    return this.slots - this.held
  }

  /** Waits for a slot; the returned function gives it back and must be called once. */
  async acquire (signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (this.held < this.slots && this.waiters.length === 0) return this.take()
    if (this.waiters.length >= this.maxQueue) {
      throw new CapacityExhaustedError('The coordinator\'s fallback is busy; retry shortly', 1)
    }

    return new Promise((resolve, reject) => {
      const leave = (err: unknown): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const i = this.waiters.indexOf(wake)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(err)
      }
      const wake = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        resolve(this.take())
      }
      const onAbort = (): void => { leave(signal?.reason) }
      const timer = setTimeout(() => {
        leave(new CapacityExhaustedError(
          `The coordinator's fallback stayed busy for ${this.timeoutMs} ms; retry shortly`,
          Math.max(1, Math.ceil(this.timeoutMs / 10_000))))
      }, this.timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(wake)
    })
  }

  private take (): () => void {
    this.held++
    let released = false
    return () => {
      if (released) return
      released = true
      this.held--
      this.waiters.shift()?.()
    }
  }
}
