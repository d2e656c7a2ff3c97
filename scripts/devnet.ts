import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, startDevnet } from './lib/devnet.ts'

const USAGE = `pnpm start [--nodes N] [--model PATH] [--port PORT]

  Brings up a local ParalleliX network: a coordinator and N operator nodes on loopback.
  --nodes N      operator nodes (default 2)
  --model PATH   any GGUF file (default: a tiny built-in model, generated on first run)
  --port PORT    HTTP port of the OpenAI-compatible API (default 8080)
  --slots N      concurrent requests per node (default 2)
  --threads N    CPU threads per node (default: cores / nodes)`

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2' },
    model: { type: 'string' },
    port: { type: 'string', default: '8080' },
    slots: { type: 'string', default: '2' },
    threads: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

const int = (v: string, flag: string, min: number): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) {
    console.error(`${flag} must be an integer of at least ${min}`)
    process.exit(2)
  }
  return n
}

const stateDir = join(ROOT, '.parallelix')
const started = Date.now()
const say = (m: string): void => {
  console.log(`[devnet +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`)
}

try {
  const devnet = await startDevnet({
    nodes: int(values.nodes, '--nodes', 1),
    model: values.model,
    port: int(values.port, '--port', 0),
    slots: int(values.slots, '--slots', 1),
    threads: values.threads === undefined ? undefined : int(values.threads, '--threads', 1),
    stateDir,
    // One deterministic request in 20 is replayed on the coordinator's fallback.
    spotCheckRate: 0.05,
    onProgress: say
  })

  say('network ready')
  console.log(`
  API base   ${devnet.apiBase}
  API key    ${devnet.apiKey}  (demo user ${devnet.account}, funded with PRLX)
  console    ${devnet.apiBase.replace(/\/v1$/, '/')}
  chain      ${devnet.chain.anvil.rpcUrl} (chain id ${devnet.chain.anvil.chainId})
  model      ${devnet.model.id}  (${devnet.model.path})
  nodes      ${devnet.nodes.map((n) => n.peerId).join('\n             ')}
  state      ${join(stateDir, 'devnet.json')}  (logs in ${join(stateDir, 'logs')})

  Try it:
  curl -s ${devnet.apiBase}/chat/completions -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${devnet.apiKey}' \\
    -d '${JSON.stringify({
      model: devnet.model.id,
      messages: [{ role: 'user', content: 'Once upon a time' }],
      max_tokens: 60
    })}'

  As an operator, check that node 0's receipts were settled on chain (every 60 s):
  node packages/node/bin/parallelix-node.js receipts verify --coordinator ${devnet.apiBase} \\
    --rpc-url ${devnet.chain.anvil.rpcUrl} --chain-id ${devnet.chain.anvil.chainId} \\
    --credits ${devnet.chain.contracts.credits} --data-dir ${join(stateDir, 'node-0')}

  Ctrl-C stops the network.
`)

  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    say('stopping…')
    devnet.stop().then(() => { say('stopped'); process.exit(0) }, (err) => {
      console.error(err)
      process.exit(1)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  for (const p of [devnet.coordinator.process, ...devnet.nodes.map((n) => n.process)]) {
    p.child.once('exit', (code) => {
      if (stopping) return
      say(`${p.name} exited unexpectedly (code ${code}); see ${join(stateDir, 'logs')}`)
      stop()
    })
  }
} catch (err) {
  console.error(`devnet failed to start: ${(err as Error).message}`)
  process.exit(1)
}
