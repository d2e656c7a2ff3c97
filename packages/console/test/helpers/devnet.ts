import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestDevnet, TEST_MODEL_PATH } from '../../../../scripts/lib/test-devnet.ts'

export { startTestDevnet }

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')

/** The real tiny model every developer and CI has next to the repository. */
export const MODEL_PATH = TEST_MODEL_PATH

/**
 * Why a test of `method path` must skip: the coordinator answers it with its JSON 404
 * (`unknown_url`). Undefined when the route exists, whatever else it answers.
 */
export async function missingRoute (origin: string, method: 'GET' | 'POST', path: string):
  Promise<string | undefined> {
  const res = await fetch(`${origin}${path}`, {
    method,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {})
  })
  const body = await res.json().catch(() => ({})) as { error?: { code?: string } }
  return res.status === 404 && body.error?.code === 'unknown_url'
    ? `the coordinator does not serve ${method} ${path} yet`
    : undefined
}
