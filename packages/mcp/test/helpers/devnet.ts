import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet, type Devnet } from '../../../../scripts/lib/devnet.ts'

export const MODEL_PATH = process.env.PARALLELIX_TEST_MODEL ??
  join(import.meta.dirname, '../../../../../shared/models/stories260K.gguf')

/** The API key a devnet provisions when its coordinator runs with auth; none without. */
export function devnetApiKey (devnet: Devnet): string | undefined {
  const key = (devnet as Devnet & { apiKey?: unknown }).apiKey
  return typeof key === 'string' ? key : undefined
}

/** Two nodes of the real test model, one thread each; `stop` also removes its state. */
export async function startTestDevnet (name: string): Promise<Devnet> {
  const stateDir = await mkdtemp(join(tmpdir(), `px-${name}-`))
  const devnet = await startDevnet({
    nodes: 2, model: MODEL_PATH, port: 0, stateDir, threads: 1, slots: 2
  }).catch(async (err: unknown) => {
    await rm(stateDir, { recursive: true, force: true })
    throw err
  })
  return {
    ...devnet,
    stop: async () => {
      await devnet.stop()
      await rm(stateDir, { recursive: true, force: true })
    }
  }
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
