import { AbortError } from './errors.ts'

/** The AbortError for a signal that fired, keeping its reason as the cause. */
export function abortErrorOf (signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason })
}

/** Throws the AbortError for `signal` if it already fired. */
export function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortErrorOf(signal)
}

/**
 * A signal that fires when any of `signals` fires; `dispose` detaches it from them, so that a
 * long-lived caller signal does not collect listeners from finished requests.
 */
export function linkSignals (
  ...signals: Array<AbortSignal | undefined>
): { signal: AbortSignal, dispose: () => void } {
  const controller = new AbortController()
  const present = signals.filter((s): s is AbortSignal => s !== undefined)
  const onAbort = (event: Event): void => {
    controller.abort((event.target as AbortSignal).reason)
  }
  const dispose = (): void => {
    for (const s of present) s.removeEventListener('abort', onAbort)
  }
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason)
      break
    }
    s.addEventListener('abort', onAbort, { once: true })
  }
  if (controller.signal.aborted) dispose()
  return { signal: controller.signal, dispose }
}

/** Waits `ms`, rejecting with AbortError as soon as `signal` fires. */
export async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal)
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortErrorOf(signal!))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Settles like `promise`, or rejects with AbortError when `signal` fires first. */
export async function raceSignal<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await promise
  throwIfAborted(signal)
  let onAbort = (): void => {}
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortErrorOf(signal))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
