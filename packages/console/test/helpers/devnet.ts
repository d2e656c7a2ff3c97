import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDevnet, type Devnet } from '../../../../scripts/lib/devnet.ts'

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')

/** The real tiny model every developer and CI has next to the repository. */
export const MODEL_PATH = join(ROOT, '..', 'shared', 'models', 'stories260K.gguf')

/** Two nodes of the real test model, one thread each; `stop` also removes its state. */
export async function startTestDevnet (name: string): Promise<Devnet> {
  const stateDir = await mkdtemp(join(tmpdir(), `px-${name}-`))
  const devnet = await startDevnet({
    nodes: 2, model: MODEL_PATH, port: 0, stateDir, threads: 1
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
