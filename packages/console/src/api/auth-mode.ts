import { createStore } from '../state/store.ts'

/**
 * Whether this coordinator runs with accounts: `required` when its API refuses calls
 * without a session or key, `open` when auth is off (no sign-in, no keys, nothing charged).
 */
export type AuthMode = 'unknown' | 'required' | 'open'

export const authMode = createStore<AuthMode>('unknown')

/** Learns the mode from a call that needs auth when auth is on, made without credentials. */
export async function detectAuthMode (): Promise<void> {
  try {
    const res = await fetch('/v1/nodes', { headers: { accept: 'application/json' } })
    if (res.status === 401) authMode.set('required')
    else if (res.ok) authMode.set('open')
  } catch {}
}
