import { ParalleliX } from '@parallelix/sdk'
import { session } from './session.ts'

/** The API root of the coordinator that serves this page. */
export function apiBase (): string {
  return `${location.origin}/v1`
}

/** An SDK client for this coordinator, authorized by the current session if any. */
export function sdkClient (): ParalleliX {
  const current = session.get()
  return new ParalleliX({
    baseUrl: apiBase(),
    ...(current === null ? {} : { apiKey: current.token })
  })
}
