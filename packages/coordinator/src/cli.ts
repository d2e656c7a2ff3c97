import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { privateKeyToAddress } from 'viem/accounts'
import { createLogger } from '@parallelix/protocol'
import { startCoordinator } from './coordinator.ts'
import { ACCOUNT_OPTIONS, ACCOUNT_USAGE, accountConfig } from './auth/cli-options.ts'
import {
  SETTLEMENT_OPTIONS, SETTLEMENT_USAGE, settlementConfig, spotCheckConfig
} from './settlement/cli-options.ts'

const log = createLogger('coordinator:cli')

const USAGE = `parallelix-coordinator: the ParalleliX coordinator and OpenAI-compatible API

  --port PORT          HTTP port (default: 8080; 0 picks a free one)
  --host HOST          HTTP bind address (default: 127.0.0.1)
  --p2p-listen ADDR    libp2p listen multiaddr (default: /ip4/127.0.0.1/tcp/0; repeatable)
  --data-dir DIR       peer key and database (default: ~/.parallelix/coordinator)
  --default-max-tokens N   max_tokens for requests that give none (default: 512)
  --queue-timeout-ms N     wait for a free slot before answering 429 (default: 30000)
  --max-queue N            requests waiting for a slot at once (default: 256)
  --advert-ttl-ms N        a node silent this long leaves the pool (default: 6000)
  --first-token-timeout-ms N   a node without a first token by then is replaced (default: 15000)
  --stall-timeout-ms N     a node silent this long mid-answer is replaced (default: 10000)
  --fallback-model PATH    GGUF served on this machine when no node can (repeatable; the id
                           clients request is the file name without .gguf)
  --fallback-threads N     CPU threads per fallback model (default: cores - 1)
  --fallback-slots N       concurrent fallback requests per model (default: 2)
  --no-fallback            never serve on this machine, even with --fallback-model
  --devnet-wallet          devnet only: hand the console the wallet whose key is in
                           PARALLELIX_DEVNET_WALLET_KEY (GET /devnet/wallet)
${ACCOUNT_USAGE}
${SETTLEMENT_USAGE}`

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
      'max-queue': { type: 'string' },
      'advert-ttl-ms': { type: 'string' },
      'first-token-timeout-ms': { type: 'string' },
      'stall-timeout-ms': { type: 'string' },
      'fallback-model': { type: 'string', multiple: true, default: [] },
      'fallback-threads': { type: 'string' },
      'fallback-slots': { type: 'string' },
      'no-fallback': { type: 'boolean', default: false },
      'devnet-wallet': { type: 'boolean', default: false },
      ...ACCOUNT_OPTIONS,
      ...SETTLEMENT_OPTIONS,
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }

  const coordinator = await startCoordinator({
    ...accountConfig(values),
    settlement: settlementConfig(values),
    spotChecks: spotCheckConfig(values),
    console: values['devnet-wallet'] ? { devWallet: devnetWallet(values) } : {},
    dataDir: resolve(values['data-dir']),
    httpPort: nonNegativeInt(values.port, '--port'),
    httpHost: values.host,
    listen: values['p2p-listen'],
    defaultMaxTokens: nonNegativeInt(values['default-max-tokens'], '--default-max-tokens'),
    queueTimeoutMs: nonNegativeInt(values['queue-timeout-ms'], '--queue-timeout-ms'),
    maxQueue: optionalInt(values['max-queue'], '--max-queue'),
    advertTtlMs: optionalInt(values['advert-ttl-ms'], '--advert-ttl-ms'),
    failover: {
      firstTokenTimeoutMs:
        optionalInt(values['first-token-timeout-ms'], '--first-token-timeout-ms'),
      stallTimeoutMs: optionalInt(values['stall-timeout-ms'], '--stall-timeout-ms')
    },
    fallback: values['no-fallback'] || values['fallback-model'].length === 0
      ? false
      : {
          models: values['fallback-model'].map((path) => ({
            id: basename(path).replace(/\.gguf$/i, ''), path: resolve(path)
          })),
          threads: optionalInt(values['fallback-threads'], '--fallback-threads'),
          slots: optionalInt(values['fallback-slots'], '--fallback-slots')
        }
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

function optionalInt (value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : nonNegativeInt(value, flag)
}

function nonNegativeInt (value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer`)
  return n
}

/**
 * The console's built-in wallet on a devnet: a well-known anvil key from
 * PARALLELIX_DEVNET_WALLET_KEY, handed to any browser that asks. Never use it elsewhere.
 */
function devnetWallet (values: { 'rpc-url'?: string, 'chain-id'?: string }) {
  const key = process.env.PARALLELIX_DEVNET_WALLET_KEY
  if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error('--devnet-wallet needs PARALLELIX_DEVNET_WALLET_KEY (a 0x private key)')
  }
  return {
    address: privateKeyToAddress(key as `0x${string}`),
    privateKey: key as `0x${string}`,
    ...(values['chain-id'] === undefined ? {} : { chainId: Number(values['chain-id']) }),
    ...(values['rpc-url'] === undefined ? {} : { rpcUrl: values['rpc-url'] })
  }
}
