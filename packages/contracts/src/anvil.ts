import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type Address, type Hex, toHex } from 'viem'
import { mnemonicToAccount, privateKeyToAddress } from 'viem/accounts'
import { AnvilStartError } from './errors.ts'

/** The mnemonic anvil derives its funded accounts from. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

const DEFAULT_PORT = 8545
const DEFAULT_CHAIN_ID = 31_337
const DEFAULT_ACCOUNTS = 10
const START_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 3_000
const POLL_MS = 50

export type StartAnvilOptions = {
  /** Port on 127.0.0.1; 8545 by default. */
  port?: number
  /** Chain id to report; 31337 by default. */
  chainId?: number
  /** Number of funded accounts (10,000 ETH each). */
  accounts?: number
  /** Path of an anvil binary; by default the one shipped by @foundry-rs/anvil. */
  binary?: string
  /** Extra command-line arguments for anvil (not --silent: readiness is read from its banner). */
  args?: string[]
  /** How long to wait for the node to answer; 15 s by default. */
  timeoutMs?: number
  /** Aborts the start (the node is stopped). */
  signal?: AbortSignal
}

export type AnvilInstance = {
  rpcUrl: string
  chainId: number
  /** Funded accounts, in anvil's order. */
  accounts: Address[]
  /** Their private keys (anvil's default mnemonic, public knowledge: devnet only). */
  privateKeys: Hex[]
  /** Terminates the node and waits for it to exit. */
  stop(): Promise<void>
}

/** Spawns anvil on 127.0.0.1 and resolves once it answers JSON-RPC. */
export async function startAnvil({
  port = DEFAULT_PORT,
  chainId = DEFAULT_CHAIN_ID,
  accounts = DEFAULT_ACCOUNTS,
  binary = anvilBinary(),
  args = [],
  timeoutMs = START_TIMEOUT_MS,
  signal,
}: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const rpcUrl = `http://127.0.0.1:${port}`
  const child = spawn(
    binary,
    [
      '--host', '127.0.0.1',
      '--port', String(port),
      '--chain-id', String(chainId),
      '--accounts', String(accounts),
      '--mnemonic', ANVIL_MNEMONIC,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  let listening = false
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000)
    // Another node may already answer on this port; only our own banner counts.
    listening ||= output.includes(`Listening on 127.0.0.1:${port}`)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit)
    await terminate(child)
  }

  try {
    await waitForRpc(rpcUrl, child, () => listening, AbortSignal.any([
      AbortSignal.timeout(timeoutMs),
      ...(signal ? [signal] : []),
    ]))
  } catch (err) {
    await stop()
    const reason = err instanceof Error ? err.message : String(err)
    const tail = output.slice(-1_000)
    throw new AnvilStartError(`anvil on port ${port} did not start: ${reason}\n${tail}`)
  }

  const keys = deriveKeys(accounts)
  return {
    rpcUrl,
    chainId,
    accounts: keys.map((k) => k.address),
    privateKeys: keys.map((k) => k.privateKey),
    stop,
  }
}

/** Locates the native anvil binary installed by @foundry-rs/anvil for this platform. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  const wrapper = require.resolve('@foundry-rs/anvil/package.json')
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  try {
    const native = createRequire(wrapper).resolve(
      `@foundry-rs/anvil-${process.platform}-${arch}/bin/${name}`,
    )
    if (existsSync(native)) return native
  } catch {
    // Fall back to the binary a postinstall may have placed beside the wrapper.
  }
  const fallback = join(dirname(wrapper), '..', 'dist', name)
  if (existsSync(fallback)) return fallback
  throw new AnvilStartError(`no anvil binary for ${process.platform}-${arch}`)
}

async function waitForRpc(
  rpcUrl: string,
  child: ChildProcess,
  listening: () => boolean,
  signal: AbortSignal,
) {
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`exited with code ${code}`)))
    child.once('error', reject)
  })
  exited.catch(() => {})
  while (true) {
    signal.throwIfAborted()
    if (listening() && (await Promise.race([probe(rpcUrl, signal), exited]))) return
    await Promise.race([sleep(POLL_MS), exited])
  }
}

async function probe(rpcUrl: string, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal,
    })
    return res.ok
  } catch {
    return false
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

function deriveKeys(count: number): { address: Address; privateKey: Hex }[] {
  // One seed derivation for all accounts: m/44'/60'/0'/0/i.
  const parent = mnemonicToAccount(ANVIL_MNEMONIC, { path: "m/44'/60'/0'/0" }).getHdKey()
  return Array.from({ length: count }, (_, i) => {
    const key = parent.deriveChild(i).privateKey
    if (!key) throw new AnvilStartError(`cannot derive key ${i}`)
    const privateKey = toHex(key)
    return { address: privateKeyToAddress(privateKey), privateKey }
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
