import { availableParallelism, homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '@parallelix/protocol'
import { startNode } from './daemon.ts'
import { ensureTinyModel } from './model/tiny-gguf.ts'
import type { GpuChoice } from './engine/engine.ts'
import { receiptsCommand } from './receipts/command.ts'

const log = createLogger('node:cli')

const USAGE = `parallelix-node: serve a GGUF model to the ParalleliX network

  --bootstrap MULTIADDR   coordinator multiaddr with /p2p/<peer id> (repeatable, required)
  --model PATH            GGUF file (default: a tiny built-in model generated on first run)
  --model-id ID           the id clients request (default: file name without .gguf)
  --data-dir DIR          keys and generated files (default: ~/.parallelix/node)
  --listen MULTIADDR      listen address (default: /ip4/127.0.0.1/tcp/0)
  --threads N             CPU threads (default: cores - 1, at least 1)
  --slots N               concurrent requests (default: 2)
  --context-size N        tokens per slot (default: min(model's, 4096))
  --gpu auto|cpu|cuda|vulkan|metal   (default: auto)

  The operator key is read from PARALLELIX_OPERATOR_KEY or <data-dir>/operator.key.

  parallelix-node receipts claim --rpc-url URL --chain-id N --credits ADDRESS [--to ADDRESS]
    claims the operator's settled earnings from the vault

  parallelix-node receipts verify --coordinator URL --rpc-url URL --chain-id N --credits ADDRESS
    checks that every receipt in <data-dir>/receipts.jsonl was settled on chain`

export async function main (argv = process.argv.slice(2)): Promise<void> {
  if (argv[0] === 'receipts') {
    await receiptsCommand(argv.slice(1))
    return
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      bootstrap: { type: 'string', multiple: true, default: [] },
      model: { type: 'string' },
      'model-id': { type: 'string' },
      'data-dir': { type: 'string', default: join(homedir(), '.parallelix', 'node') },
      listen: { type: 'string', multiple: true },
      threads: { type: 'string' },
      slots: { type: 'string', default: '2' },
      'context-size': { type: 'string' },
      gpu: { type: 'string', default: 'auto' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }

  const dataDir = resolve(values['data-dir'])
  const modelPath = values.model !== undefined
    ? resolve(values.model)
    : (await ensureTinyModel(join(dataDir, 'models'))).path
  const node = await startNode({
    dataDir,
    modelPath,
    modelId: values['model-id'] ?? basename(modelPath).replace(/\.gguf$/i, ''),
    bootstrap: values.bootstrap,
    listen: values.listen,
    threads: positiveInt(values.threads, Math.max(1, availableParallelism() - 1), '--threads'),
    slots: positiveInt(values.slots, 2, '--slots'),
    contextSize: values['context-size'] === undefined
      ? undefined
      : positiveInt(values['context-size'], 0, '--context-size'),
    gpu: parseGpu(values.gpu),
    operatorKey: process.env.PARALLELIX_OPERATOR_KEY
  })

  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down')
    node.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'unclean shutdown')
      process.exit(1)
    })
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

function positiveInt (value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`)
  return n
}

function parseGpu (value: string): GpuChoice {
  if (value === 'cpu' || value === 'false') return false
  if (value === 'auto' || value === 'cuda' || value === 'vulkan' || value === 'metal') return value
  throw new Error(`--gpu must be auto, cpu, cuda, vulkan or metal, not ${value}`)
}
