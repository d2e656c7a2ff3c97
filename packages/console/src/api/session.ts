import { createStore } from '../state/store.ts'

/** A sign-in session: its bearer token (`ps_…`), whose it is and until when (epoch ms). */
export interface Session {
  token: string
  account: string
  expiresAt: number
  /** Why no spending authorization was signed at sign-in; absent when one was. */
  authorizationNote?: string
}

const KEY = 'parallelix.session'

function load (): Session | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null
    if (saved === null || typeof saved.token !== 'string') return null
    return saved.expiresAt > Date.now() ? saved : null
  } catch {
    return null
  }
}

/** The current session, kept in sessionStorage: it ends with the browser tab. */
export const session = createStore<Session | null>(load())

session.subscribe(() => {
  const current = session.get()
  if (current === null) sessionStorage.removeItem(KEY)
  else sessionStorage.setItem(KEY, JSON.stringify(current))
})

/** The Authorization header every API call carries while signed in. */
export function authHeaders (): Record<string, string> {
  const current = session.get()
  if (current === null) return {}
  if (current.expiresAt <= Date.now()) {
    session.set(null)
    return {}
  }
  return { authorization: `Bearer ${current.token}` }
}
