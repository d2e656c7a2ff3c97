import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, startDevnet, type Devnet } from './devnet.ts'

/** The real tiny model every developer and CI has next to the repository. */
export const TEST_MODEL_PATH = process.env.PARALLELIX_TEST_MODEL ??
  join(ROOT, '..', 'shared', 'models', 'stories260K.gguf')

/** Two nodes of the real test model, one thread each; `stop` also removes its state. */
export async function startTestDevnet (name: string): Promise<Devnet> {
  const stateDir = await mkdtemp(join(tmpdir(), `px-${name}-`))
  const devnet = await startDevnet({
    nodes: 2, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 2
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

/** Polls `check` every 200 ms until it returns a value, or throws after `timeoutMs`. */
export async function until<T> (
  what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}
