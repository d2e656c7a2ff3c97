import type { Devnet } from '../../../../scripts/lib/devnet.ts'
import { startTestDevnet, TEST_MODEL_PATH } from '../../../../scripts/lib/test-devnet.ts'

export { startTestDevnet }

export const MODEL_PATH = TEST_MODEL_PATH

/** The API key a devnet provisions when its coordinator runs with auth; none without. */
export function devnetApiKey (devnet: Devnet): string | undefined {
  return devnet.apiKey
}

/**
 * The reason to skip a test whose endpoint the coordinator does not serve yet (it answers
 * 404 `unknown_url`), or undefined when the endpoint exists.
 */
export async function missingEndpoint (devnet: Devnet, method: 'GET' | 'POST',
  path: string): Promise<string | undefined> {
  const apiKey = devnetApiKey(devnet)
  const res = await fetch(`${devnet.apiBase}${path}`, {
    method,
    headers: {
      ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {})
    },
    ...(method === 'POST' ? { body: '{}' } : {})
  })
  const body = await res.json().catch(() => ({})) as { error?: { code?: string } }
  return res.status === 404 && body.error?.code === 'unknown_url'
    ? `waiting on ${method} /v1${path}: the coordinator does not serve it yet`
    : undefined
}
