import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { ParalleliX } from '@parallelix/sdk'
import { readConfig } from './config.ts'
import { createLogger } from './log.ts'
import { createMcpServer } from './server.ts'

/** Serves the ParalleliX tools over stdio until the client closes stdin or a signal arrives. */
export async function main (env: Record<string, string | undefined> = process.env): Promise<void> {
  const log = createLogger('mcp:server', env.PARALLELIX_LOG_LEVEL)
  const config = readConfig(env)
  const client = new ParalleliX({
    baseUrl: config.baseUrl,
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey })
  })
  const server = createMcpServer({ client, log })

  // A tool never throws, but a bug elsewhere must be logged rather than end the session.
  process.on('unhandledRejection', (err) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'unhandled rejection')
  })
  const close = (): void => {
    void server.close().finally(() => process.exit(0))
  }
  process.once('SIGINT', close)
  process.once('SIGTERM', close)
  process.stdin.once('end', close)

  await server.connect(new StdioServerTransport())
  log.info({ baseUrl: config.baseUrl, auth: config.apiKey !== undefined }, 'parallelix-mcp ready')
}
