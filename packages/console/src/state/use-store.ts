import { useEffect, useState } from 'preact/hooks'
import type { Store } from './store.ts'

/** The store's current value; the component renders again whenever it changes. */
export function useStore<T> (store: Store<T>): T {
  const [, rerender] = useState(0)
  useEffect(() => store.subscribe(() => { rerender((n) => n + 1) }), [store])
  return store.get()
}
