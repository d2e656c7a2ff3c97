import { mkdir, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTinyModel } from '@parallelix/node'
import { privateKeyToAddress } from 'viem/accounts'
import { provisionDemoAccount } from './demo-account.ts'
import { DEMO_USER_PRLX, startDevnetChain, type DevnetChain } from './devnet-chain.ts'
import { spawnLogged, type ManagedProcess } from './processes.ts'
import { buildConsole } from '../../packages/console/build.ts'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const COORDINATOR_BIN = join(ROOT, 'packages/coordinator/bin/parallelix-coordinator.js')
const NODE_BIN = join(ROOT, 'packages/node/bin/parallelix-node.js')

export interface DevnetOptions {
  nodes: number
  /** GGUF path; absent means the built-in tiny model. */
  model?: string
  /** HTTP port of the coordinator; 0 picks a free one. */
  port: number
  /** Everything the devnet writes: keys, logs, devnet.json. */
  stateDir: string
  slots?: number
  threads?: number
  contextSize?: number
  /** Extra coordinator flags, e.g. `--no-fallback`; they win over the devnet's own. */
  coordinatorArgs?: string[]
  /**
   * Share of deterministic requests the coordinator spot-checks (default 0, so that tests
   * see only the work they ask for; `pnpm start` turns it on).
   */
  spotCheckRate?: number
  /** anvil's port; 0 picks a free one. */
  chainPort?: number
  onProgress?: (message: string) => void
}

export interface DevnetNode {
  /** The node's number: its data dir is node-<index>, its operator anvil account 3 + index. */
  index: number
  /** Holds its peer key, its operator key and its receipt log. */
  dataDir: string
  peerId: string
  operator: string
  pid: number
  process: ManagedProcess
}

export interface Devnet {
  apiBase: string
  /** A funded demo user's API key (pk_live_…). */
  apiKey: string
  /** The demo user's address. */
  account: string
  chain: DevnetChain
  model: { id: string, path: string }
  coordinator: { peerId: string, multiaddrs: string[], pid: number, process: ManagedProcess }
  nodes: DevnetNode[]
  /** Starts one more node and waits until it serves. */
  addNode: () => Promise<DevnetNode>
  stop: () => Promise<void>
}

/** Brings up a coordinator and `nodes` operator nodes on loopback, as separate processes. */
export async function startDevnet (options: DevnetOptions): Promise<Devnet> {
  const progress = options.onProgress ?? (() => {})
  const logs = join(options.stateDir, 'logs')
  await mkdir(logs, { recursive: true })

  const modelPath = options.model !== undefined
    ? resolve(options.model)
    : (await ensureTinyModel(join(options.stateDir, 'models'))).path
  const modelId = basename(modelPath).replace(/\.gguf$/i, '')
  // Nodes on one machine share its cores: give each its share, never the library default.
  const threads = options.threads ??
    Math.max(1, Math.floor(availableParallelism() / Math.max(1, options.nodes)))

  progress('building the console')
  await buildConsole()
  progress('starting anvil and deploying the contracts')
  const chain = await startDevnetChain({ port: options.chainPort ?? 0, nodes: options.nodes })
  progress(`chain ${chain.anvil.rpcUrl}: PRLX ${chain.contracts.token}, ` +
    `vault ${chain.contracts.credits}, registry ${chain.contracts.registry}`)

  progress(`starting coordinator (HTTP port ${options.port})`)
  // anvil mines only when a transaction arrives, so one confirmation is what a devnet sees.
  const coordinatorProc = spawnLogged('coordinator', process.execPath, [
    COORDINATOR_BIN, '--port', String(options.port),
    '--data-dir', join(options.stateDir, 'coordinator'),
    '--rpc-url', chain.anvil.rpcUrl, '--chain-id', String(chain.anvil.chainId),
    '--credits', chain.contracts.credits, '--confirmations', '1', '--vault-poll-ms', '250',
    '--fallback-model', modelPath, '--fallback-threads', '1', '--fallback-slots', '1',
    '--devnet-wallet', '--spot-check-rate', String(options.spotCheckRate ?? 0),
    ...(options.coordinatorArgs ?? [])
  ], join(logs, 'coordinator.log'), {
    PARALLELIX_COORDINATOR_KEY: chain.coordinatorKey,
    PARALLELIX_DEVNET_WALLET_KEY: chain.demoUserKey
  })
  let ready
  let demo
  try {
    ready = await coordinatorProc.waitForLog<{ peerId: string, multiaddrs: string[],
      apiBase: string }>((l) => l.msg === 'coordinator ready', 30_000)
    progress('signing in the demo user, depositing PRLX and creating its API key')
    demo = await provisionDemoAccount({
      apiBase: ready.apiBase,
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      contracts: { prlx: chain.contracts.token, credits: chain.contracts.credits },
      userKey: chain.demoUserKey,
      coordinatorAddress: privateKeyToAddress(chain.coordinatorKey),
      depositAmount: DEMO_USER_PRLX / 2n,
      keyName: 'devnet'
    })
  } catch (err) {
    await coordinatorProc.stop('SIGKILL')
    await chain.stop()
    throw err
  }
  const apiKey = demo.apiKey

  const all: ManagedProcess[] = [coordinatorProc]
  const nodes: DevnetNode[] = []
  let index = 0
  const addNode = async (): Promise<DevnetNode> => {
    const i = index++
    const dataDir = join(options.stateDir, `node-${i}`)
    // The devnet's operator keys are anvil's public test keys; kept in the data dir, where an
    // operator's own key lives, so that `parallelix-node receipts` finds it.
    await mkdir(dataDir, { recursive: true })
    await writeFile(join(dataDir, 'operator.key'), `${chain.operatorKey(i)}\n`, { mode: 0o600 })
    const proc = spawnLogged(`node-${i}`, process.execPath, [
      NODE_BIN, '--model', modelPath, '--model-id', modelId,
      '--data-dir', dataDir,
      '--threads', String(threads), '--slots', String(options.slots ?? 2),
      ...(options.contextSize === undefined ? [] : ['--context-size', String(options.contextSize)]),
      ...ready.multiaddrs.flatMap((ma) => ['--bootstrap', ma])
    ], join(logs, `node-${i}.log`))
    all.push(proc)
    const line = await proc.waitForLog<{ peerId: string, operator: string }>(
      (l) => l.msg === 'node serving', 120_000)
    await chain.registerOperator(i, line.peerId)
    const node = {
      index: i, dataDir, peerId: line.peerId, operator: line.operator, pid: proc.child.pid!,
      process: proc
    }
    nodes.push(node)
    progress(`node ${i} serving ${modelId} as ${line.peerId}`)
    return node
  }

  try {
    progress(`starting ${options.nodes} node(s) with ${modelId} (${threads} thread(s) each)`)
    await Promise.all(Array.from({ length: options.nodes }, addNode))
    await waitForPool(ready.apiBase, apiKey, nodes.map((n) => n.peerId), 30_000)
  } catch (err) {
    await Promise.all(all.map(async (p) => p.stop('SIGKILL')))
    await chain.stop()
    throw err
  }

  const devnet: Devnet = {
    apiBase: ready.apiBase,
    apiKey,
    account: demo.account,
    chain,
    model: { id: modelId, path: modelPath },
    coordinator: {
      peerId: ready.peerId, multiaddrs: ready.multiaddrs, pid: coordinatorProc.child.pid!,
      process: coordinatorProc
    },
    nodes,
    addNode,
    stop: async () => {
      await Promise.all(all.slice(1).map(async (p) => p.stop()))
      await coordinatorProc.stop()
      await chain.stop()
    }
  }
  await writeDevnetFile(options.stateDir, devnet)
  return devnet
}

/** Waits until the coordinator's /v1/nodes lists every one of `peerIds`. */
export async function waitForPool (
  apiBase: string, apiKey: string, peerIds: string[], timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${apiBase}/nodes`, {
        headers: { authorization: `Bearer ${apiKey}` }
      })
      const body = await res.json() as { data: Array<{ peer_id: string }> }
      const live = new Set(body.data.map((n) => n.peer_id))
      if (peerIds.every((p) => live.has(p))) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nodes did not join the pool within ${timeoutMs} ms`)
}

async function writeDevnetFile (stateDir: string, devnet: Devnet): Promise<void> {
  const file = {
    apiBase: devnet.apiBase,
    apiKey: devnet.apiKey,
    account: devnet.account,
    rpcUrl: devnet.chain.anvil.rpcUrl,
    chainId: devnet.chain.anvil.chainId,
    contracts: devnet.chain.contracts,
    model: devnet.model,
    coordinator: {
      peerId: devnet.coordinator.peerId,
      multiaddrs: devnet.coordinator.multiaddrs,
      pid: devnet.coordinator.pid
    },
    nodes: [...devnet.nodes].sort((a, b) => a.index - b.index).map((n) => ({
      index: n.index, dataDir: n.dataDir, peerId: n.peerId, operator: n.operator, pid: n.pid
    }))
  }
  await writeFile(join(stateDir, 'devnet.json'), `${JSON.stringify(file, null, 2)}\n`)
}
