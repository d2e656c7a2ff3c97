import { readdir, rename, rm, stat } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import config from './vite.config.ts'

const ROOT = dirname(fileURLToPath(import.meta.url))

/** Where the built console lies; the coordinator serves this folder at `/`. */
export const CONSOLE_DIST = join(ROOT, 'dist')

export interface BuildConsoleOptions {
  /** Builds even when dist is newer than every source. */
  force?: boolean
  /** Vite's own output; silent unless asked for. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent'
}

export interface BuildConsoleResult {
  outDir: string
  /** False when dist was already up to date and the build was skipped. */
  built: boolean
}

// What the bundle is made from: the console's sources and what it bundles from the workspace.
function inputs (): string[] {
  const sdk = dirname(realpathSync(join(ROOT, 'node_modules/@parallelix/sdk/package.json')))
  return [join(ROOT, 'src'), join(ROOT, 'public'), join(ROOT, 'index.html'),
    join(ROOT, 'vite.config.ts'), join(ROOT, 'package.json'), join(sdk, 'src'),
    join(ROOT, '../contracts/src/typed-data.ts')]
}

async function newestMtime (path: string): Promise<number> {
  const info = await stat(path)
  if (!info.isDirectory()) return info.mtimeMs
  const entries = await readdir(path)
  const times = await Promise.all(entries.map(async (e) => await newestMtime(join(path, e))))
  return Math.max(info.mtimeMs, ...times)
}

/** Whether dist holds a build newer than every input. */
export async function isConsoleFresh (): Promise<boolean> {
  const built = await stat(join(CONSOLE_DIST, 'index.html')).catch(() => undefined)
  if (built === undefined) return false
  const newest = Math.max(...await Promise.all(inputs().map(newestMtime)))
  return built.mtimeMs > newest
}

/**
 * Builds the console into dist with Vite, unless dist is newer than its sources. The build
 * goes to a scratch folder first, so a coordinator serving dist never sees half a build.
 */
export async function buildConsole (options: BuildConsoleOptions = {}):
  Promise<BuildConsoleResult> {
  if (options.force !== true && await isConsoleFresh()) {
    return { outDir: CONSOLE_DIST, built: false }
  }
  const scratch = join(ROOT, `.dist-${process.pid}-${Date.now()}`)
  try {
    await build({
      ...config,
      configFile: false,
      logLevel: options.logLevel ?? 'silent',
      build: { ...config.build, outDir: scratch, emptyOutDir: true }
    })
    await rm(CONSOLE_DIST, { recursive: true, force: true })
    await rename(scratch, CONSOLE_DIST)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  return { outDir: CONSOLE_DIST, built: true }
}
