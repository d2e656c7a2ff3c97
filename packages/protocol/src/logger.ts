import { pino, type Logger } from 'pino'

export type { Logger }

const root = pino({
  level: process.env.PARALLELIX_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime
})

/** One structured logger per component, e.g. `createLogger('coordinator:scheduler')`. */
export function createLogger (component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings })
}
