/** A value that views read and subscribe to; `set` notifies every subscriber. */
export interface Store<T> {
  get: () => T
  set: (next: T) => void
  update: (change: (current: T) => T) => void
  subscribe: (listener: () => void) => () => void
}

/** A store holding `initial` until set. */
export function createStore<T> (initial: T): Store<T> {
  let value = initial
  const listeners = new Set<() => void>()
  const set = (next: T): void => {
    if (Object.is(next, value)) return
    value = next
    for (const listener of [...listeners]) listener()
  }
  return {
    get: () => value,
    set,
    update: (change) => { set(change(value)) },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
