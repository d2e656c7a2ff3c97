type Level = 'debug' | 'info' | 'error'

const RANK: Record<Level, number> = { debug: 10, info: 20, error: 30 }

export interface Logger {
  debug: (fields: Record<string, unknown>, msg: string) => void
  info: (fields: Record<string, unknown>, msg: string) => void
  error: (fields: Record<string, unknown>, msg: string) => void
}

/**
 * A JSON-lines logger on stderr, the only stream an stdio MCP server may write freely
 * (stdout carries the protocol). PARALLELIX_LOG_LEVEL picks the least level written.
 */
export function createLogger (name: string, level: string | undefined = 'info'): Logger {
  const least = RANK[(level in RANK ? level : 'info') as Level]
  const write = (lvl: Level) => (fields: Record<string, unknown>, msg: string): void => {
    if (RANK[lvl] < least) return
    const line = { level: lvl, time: Date.now(), name, msg, ...fields }
    process.stderr.write(`${JSON.stringify(line)}\n`)
  }
  return { debug: write('debug'), info: write('info'), error: write('error') }
}
