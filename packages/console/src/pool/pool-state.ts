import { ApiError, type PoolNode } from '@parallelix/sdk'
import { authMode } from '../api/auth-mode.ts'
import { sdkClient } from '../api/sdk-client.ts'
import { createStore } from '../state/store.ts'

/** How often the pool view asks for the live nodes. */
export const POOL_REFRESH_MS = 2000

export interface PoolState {
  nodes: PoolNode[]
  /** When the last answer arrived (epoch ms); null before the first. */
  updatedAt: number | null
  error: string | null
  /** The pool is only shown to a signed-in caller. */
  needsSignIn: boolean
}

/** The live pool, as GET /v1/nodes last reported it. */
export const pool = createStore<PoolState>({
  nodes: [], updatedAt: null, error: null, needsSignIn: false
})

/** Asks the coordinator for its live nodes; a failure keeps the last list and says why. */
export async function refreshPool (signal: AbortSignal): Promise<void> {
  try {
    const nodes = await sdkClient().nodes({ signal, maxRetries: 0, timeoutMs: 5000 })
    pool.set({ nodes, updatedAt: Date.now(), error: null, needsSignIn: false })
  } catch (err) {
    if (signal.aborted) return
    const needsSignIn = err instanceof ApiError && err.status === 401
    if (needsSignIn) authMode.set('required')
    pool.set({ ...pool.get(), error: (err as Error).message, needsSignIn })
  }
}
