import { ConsoleNetworkError, errorFromResponse } from './errors.ts'
import { authMode } from './auth-mode.ts'
import { authHeaders, session } from './session.ts'

/** How long any JSON call may take before it is abandoned. */
export const REQUEST_TIMEOUT_MS = 15_000

export interface RequestInit {
  method?: 'GET' | 'POST' | 'DELETE'
  body?: unknown
  signal?: AbortSignal
  /** Leaves out the session's Authorization header (the sign-in flow itself). */
  anonymous?: boolean
}

/**
 * Calls the coordinator on this origin and parses its JSON answer; a non-2xx status
 * throws ConsoleApiError, a failed or timed-out connection ConsoleNetworkError.
 */
export async function requestJson<T> (path: string, init: RequestInit = {}): Promise<T> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout])
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(init.anonymous === true ? {} : authHeaders())
  }

  let response: Response
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      signal,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
    })
  } catch (err) {
    if (init.signal?.aborted === true) throw err
    throw new ConsoleNetworkError(`Could not reach ${path}: ${(err as Error).message}`)
  }

  if (!response.ok) {
    const error = await errorFromResponse(response)
    // A session the server no longer honours is dropped, so the page offers sign-in.
    if (error.needsSignIn && init.anonymous !== true) {
      session.set(null)
      authMode.set('required')
    }
    throw error
  }
  if (response.status === 204) return undefined as T
  return await response.json() as T
}
