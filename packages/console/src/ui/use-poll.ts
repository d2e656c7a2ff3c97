import { useEffect, useRef } from 'preact/hooks'

/**
 * Runs `task` now and then every `intervalMs` while the component is mounted, never two at
 * once; the signal aborts the one in flight on unmount.
 */
export function usePoll (task: (signal: AbortSignal) => Promise<void>, intervalMs: number,
  deps: unknown[] = []): void {
  const latest = useRef(task)
  latest.current = task

  useEffect(() => {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async (): Promise<void> => {
      if (controller.signal.aborted) return
      await latest.current(controller.signal).catch(() => {})
      if (!controller.signal.aborted) timer = setTimeout(() => { void tick() }, intervalMs)
    }
    void tick()
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
  }, [intervalMs, ...deps])
}
