import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'

export interface ManagedProcess {
  name: string
  child: ChildProcess
  /** Resolves with the first JSON log line for which `match` returns true. */
  waitForLog: <T = Record<string, unknown>>(match: (line: Record<string, unknown>) => boolean,
    timeoutMs: number) => Promise<T>
  stop: (signal?: NodeJS.Signals, timeoutMs?: number) => Promise<void>
}

/**
 * Spawns a ParalleliX process whose stdout is pino JSON, tees it to `logFile`, and lets the
 * caller wait for a lifecycle line (e.g. "node serving") instead of sleeping.
 */
export function spawnLogged (
  name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}
): ManagedProcess {
  const child = spawn(command, args, {
    // Lifecycle lines at info are how the caller learns a process is ready.
    env: { ...process.env, PARALLELIX_LOG_LEVEL: childLogLevel(), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const log = createWriteStream(logFile, { flags: 'a' })
  child.stderr?.pipe(log)
  const lines = createInterface({ input: child.stdout! })
  const matchers = new Set<(line: Record<string, unknown>) => void>()
  lines.on('line', (text) => {
    log.write(`${text}\n`)
    let line: Record<string, unknown>
    try { line = JSON.parse(text) as Record<string, unknown> } catch { return }
    for (const m of matchers) m(line)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))

  return {
    name,
    child,
    waitForLog: async <T>(match: (line: Record<string, unknown>) => boolean, timeoutMs: number) =>
      new Promise<T>((resolve, reject) => {
        const onLine = (line: Record<string, unknown>): void => {
          if (!match(line)) return
          cleanup()
          resolve(line as T)
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`${name} was not ready within ${timeoutMs} ms (see ${logFile})`))
        }, timeoutMs)
        const onExit = (code: number | null): void => {
          cleanup()
          reject(new Error(`${name} exited with code ${code} while starting (see ${logFile})`))
        }
        const cleanup = (): void => {
          clearTimeout(timer)
          matchers.delete(onLine)
          child.off('exit', onExit)
        }
        matchers.add(onLine)
        child.once('exit', onExit)
      }),
    stop: async (signal = 'SIGTERM', timeoutMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
      log.end()
    }
  }
}

function childLogLevel (): string {
  const level = process.env.PARALLELIX_LOG_LEVEL
  return level === 'debug' || level === 'trace' ? level : 'info'
}
