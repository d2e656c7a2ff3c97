import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '@parallelix/protocol'
import { startCoordinator } from './coordinator.ts'

const log = createLogger('coordinator:cli')

const USAGE = `parallelix-coordinator: the ParalleliX coordinator and OpenAI-compatible API

  --port PORT          HTTP port (default: 8080; 0 picks a free one)
  --host HOST          HTTP bind address (default: 127.0.0.1)
  --p2p-listen ADDR    libp2p listen multiaddr (default: /ip4/127.0.0.1/tcp/0; repeatable)
  --data-dir DIR       peer key and database (default: ~/.parallelix/coordinator)
  --default-max-tokens N   max_tokens for requests that give none (default: 512)
  --queue-timeout-ms N     wait for a free slot before answering 429 (default: 30000)`

export async function main (argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'p2p-listen': { type: 'string', multiple: true },
      'data-dir': { type: 'string', default: join(homedir(), '.parallelix', 'coordinator') },
      'default-max-tokens': { type: 'string', default: '512' },
      'queue-timeout-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }

  const coordinator = await startCoordinator({
    dataDir: resolve(values['data-dir']),
    httpPort: nonNegativeInt(values.port, '--port'),
    httpHost: values.host,
    listen: values['p2p-listen'],
    defaultMaxTokens: nonNegativeInt(values['default-max-tokens'], '--default-max-tokens'),
    queueTimeoutMs: nonNegativeInt(values['queue-timeout-ms'], '--queue-timeout-ms')
  })

  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down')
    coordinator.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'unclean shutdown')
      process.exit(1)
    })
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

function nonNegativeInt (value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer`)
  return n
}
