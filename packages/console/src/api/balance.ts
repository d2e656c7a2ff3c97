import { readUsage } from '../developer/usage-shape.ts'
import { createStore } from '../state/store.ts'
import { requestJson } from './request.ts'
import { session } from './session.ts'

/** The account's credit balance in base units; null while unknown or not offered. */
export const balance = createStore<bigint | null>(null)

/** Reads the balance from GET /v1/usage; unknown when signed out or when that fails. */
export async function refreshBalance (signal?: AbortSignal): Promise<void> {
  if (session.get() === null) {
    balance.set(null)
    return
  }
  try {
    const body = await requestJson<unknown>('/v1/usage', { signal })
    balance.set(readUsage(body).balance)
  } catch {
    if (signal?.aborted !== true) balance.set(null)
  }
}
