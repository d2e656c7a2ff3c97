import type { Model } from '@parallelix/sdk'
import { createStore } from '../state/store.ts'
import { sdkClient } from './sdk-client.ts'

export interface ModelsState {
  models: Model[]
  /** Why the last refresh failed; null when it succeeded. */
  error: string | null
  loaded: boolean
}

/** The models the live pool serves, as GET /v1/models last reported them. */
export const models = createStore<ModelsState>({ models: [], error: null, loaded: false })

/** Asks the coordinator for its models again. */
export async function refreshModels (signal?: AbortSignal): Promise<void> {
  try {
    const list = await sdkClient().models({ maxRetries: 0, ...(signal ? { signal } : {}) })
    models.set({ models: list, error: null, loaded: true })
  } catch (err) {
    if (signal?.aborted === true) return
    models.set({ ...models.get(), error: (err as Error).message, loaded: true })
  }
}
