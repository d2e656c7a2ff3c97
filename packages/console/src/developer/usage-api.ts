import { requestJson } from '../api/request.ts'
import { readUsage, type UsageReading } from './usage-shape.ts'

/** GET /v1/usage?from=&to= for a window given in epoch ms (sent as ISO 8601). */
export async function fetchUsage (from: number, to: number, signal?: AbortSignal):
  Promise<UsageReading> {
  const query = new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString()
  })
  return readUsage(await requestJson<unknown>(`/v1/usage?${query}`, { signal }))
}
