import t from 'tap'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ROOT, startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import { TEST_MODEL_PATH, until } from '../../../scripts/lib/test-devnet.ts'
import { readReceiptLog, type LoggedReceipt } from '../src/receipts/receipt-log.ts'
import { verifyReceipts, type VerifySummary } from '../src/receipts/verify.ts'
import type { ReceiptProof } from '../src/receipts/proof-client.ts'
import { signedEntry } from './helpers/signed-receipt.ts'

const NODE_BIN = join(ROOT, 'packages/node/bin/parallelix-node.js')
const EVERY = 3
const SETTLE_ARGS = ['--settle-every-receipts', String(EVERY), '--settle-interval-ms', '600000']

let devnet: Devnet
let stateDir: string
let dataDir: string
let operator: Address
const served: Array<{ requestId: string, hash: Hex }> = []

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-receipts-verify-'))
  // No fallback, so every request goes to the node whose log is under test, and no spot
  // checks, so no receipt is held back from its batch.
  devnet = await startDevnet({
    nodes: 1, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 2, contextSize: 256,
    coordinatorArgs: [...SETTLE_ARGS, '--no-fallback', '--spot-check-rate', '0']
  })
  dataDir = join(stateDir, 'node-0')
  operator = devnet.nodes[0]!.operator as Address
})
t.teardown(async () => {
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

/** Sends one small completion with the demo key; returns its request id and PoE hash. */
async function complete (i: number): Promise<{ requestId: string, hash: Hex }> {
  const res = await fetch(`${devnet.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
    body: JSON.stringify({
      model: devnet.model.id, max_tokens: 6 + i, temperature: 0,
      messages: [{ role: 'user', content: `Once upon a time ${i}` }]
    })
  })
  const body = await res.json() as { parallelix?: { request_id: string, poe: { hash: Hex } } }
  if (res.status !== 200 || body.parallelix === undefined) {
    throw new Error(`completion failed: ${res.status} ${JSON.stringify(body)}`)
  }
  return { requestId: body.parallelix.request_id, hash: body.parallelix.poe.hash }
}

async function readLog (dir: string): Promise<LoggedReceipt[]> {
  const entries: LoggedReceipt[] = []
  for await (const entry of readReceiptLog(join(dir, 'receipts.jsonl'))) entries.push(entry)
  return entries
}

async function proofOf (hash: Hex): Promise<ReceiptProof | undefined> {
  const res = await fetch(`${devnet.apiBase}/proofs/${hash}`)
  return res.status === 200 ? await res.json() as ReceiptProof : undefined
}

/** Runs `parallelix-node receipts verify` on `dir`; its exit code and the summary it printed. */
async function verifyCli (dir: string): Promise<{ code: number, summary: VerifySummary }> {
  const { anvil, contracts } = devnet.chain
  const args = [NODE_BIN, 'receipts', 'verify', '--coordinator', devnet.apiBase,
    '--rpc-url', anvil.rpcUrl, '--chain-id', String(anvil.chainId),
    '--credits', contracts.credits, '--data-dir', dir]
  const env = { ...process.env, PARALLELIX_OPERATOR_KEY: devnet.chain.operatorKey(0) }
  let stdout: string
  let code = 0
  try {
    stdout = (await promisify(execFile)(process.execPath, args, { env })).stdout
  } catch (err) {
    const failed = err as { code?: number, stdout?: string, stderr?: string }
    if (typeof failed.code !== 'number' || failed.stdout === undefined) throw err
    code = failed.code
    stdout = failed.stdout
    if (stdout.trim() === '') throw new Error(`verify failed: ${failed.stderr}`)
  }
  return { code, summary: JSON.parse(stdout.trim().split('\n').at(-1)!) as VerifySummary }
}

/**
 * A coordinator in front of the real one that rewrites every proof it relays, as a
 * coordinator lying about settlement would.
 */
async function lyingCoordinator (
  rewrite: (proof: ReceiptProof) => ReceiptProof
): Promise<{ apiBase: string, close: () => Promise<void> }> {
  const origin = new URL(devnet.apiBase).origin
  const server: Server = createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${origin}${req.url}`)
      const body = await upstream.json() as ReceiptProof
      res.writeHead(upstream.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(upstream.status === 200 ? rewrite(body) : body))
    })().catch(() => { res.writeHead(502).end() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    apiBase: `http://127.0.0.1:${port}/v1`,
    close: async () => { await new Promise((resolve) => server.close(resolve)) }
  }
}

/** verifyReceipts on the node's own log, asking `coordinator` for the proofs. */
async function verifyThrough (coordinator: string): Promise<VerifySummary> {
  const { anvil, contracts } = devnet.chain
  return verifyReceipts({
    logPath: join(dataDir, 'receipts.jsonl'), operator, coordinator,
    vault: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, credits: contracts.credits }
  })
}

t.test('reports every receipt the node served as settled on chain', async (t) => {
  for (let i = 0; i < EVERY; i++) served.push(await complete(i))

  const logged = await until('the node to log its receipts', async () => {
    const entries = await readLog(dataDir)
    return entries.length >= EVERY ? entries : undefined
  })
  t.same(logged.map((e) => e.hash).sort(), served.map((s) => s.hash).sort(),
    'the node logged exactly the receipts it sent')
  t.same(logged.map((e) => e.receipt.operator), served.map(() => operator),
    'each signed by its operator')
  await until('the receipts\' batch to be confirmed', async () => {
    const proofs = await Promise.all(served.map(async (s) => proofOf(s.hash)))
    return proofs.every((p) => p?.batch?.status === 'confirmed') ? true : undefined
  })

  const { code, summary } = await verifyCli(dataDir)
  t.same(summary, {
    operator, total: EVERY, settled: EVERY, pending: 0, refused: [], unknown: [], invalid: []
  }, 'every logged receipt is settled, none refused, unknown or invalid')
  t.equal(code, 0, 'the command exits 0')
})

t.test('lists tampered log lines as invalid and exits 1', async (t) => {
  const [first, second, third] = await readLog(dataDir)
  const stranger = privateKeyToAccount(generatePrivateKey())
  const forged = await signedEntry(stranger, { ...second!.receipt })
  const alteredHash = `0x${first!.hash.slice(2, -1)}${first!.hash.endsWith('0') ? '1' : '0'}`
  const neverSent = await signedEntry(privateKeyToAccount(devnet.chain.operatorKey(0)))
  const lines = [
    { ...first, hash: alteredHash },
    forged,
    third,
    neverSent
  ].map((e) => JSON.stringify(e))
  const copy = join(stateDir, 'tampered')
  await mkdir(copy, { recursive: true })
  await writeFile(join(copy, 'receipts.jsonl'),
    `${lines.join('\n')}\n${lines[2]!.slice(0, 40)}`)

  const { code, summary } = await verifyCli(copy)
  t.equal(summary.total, 4, 'the torn last line is skipped')
  t.equal(summary.settled, 1, 'the untouched receipt is still settled')
  t.same(summary.unknown, [neverSent.hash], 'a receipt the coordinator never saw is unknown')
  t.same(summary.invalid.map((i) => i.receipt_hash), [alteredHash, forged.hash],
    'the altered hash and the forged receipt are invalid')
  t.match(summary.invalid[0]!.why, /not the receipt's EIP-712 digest/, 'the hash does not match')
  t.match(summary.invalid[1]!.why, new RegExp(`signed by ${stranger.address}`),
    'the forged receipt recovers to another signer')
  t.equal(code, 1, 'the command exits 1')
})

t.test('catches a proof that does not lead to the batch root', async (t) => {
  const liar = await lyingCoordinator((p) => ({
    ...p, proof: p.proof === null ? null : [`0x${'ab'.repeat(32)}`, ...p.proof.slice(1)]
  }))
  t.teardown(liar.close)
  const summary = await verifyThrough(liar.apiBase)
  t.equal(summary.settled, 0, 'nothing counts as settled')
  t.same(summary.invalid.map((i) => i.receipt_hash).sort(), served.map((s) => s.hash).sort(),
    'every receipt is invalid')
  t.ok(summary.invalid.every((i) => /the proof does not lead to the root/.test(i.why)),
    'because its proof fails')
})

t.test('catches a root that the vault does not hold for the batch', async (t) => {
  const liar = await lyingCoordinator((p) => {
    const tree = StandardMerkleTree.of([[p.receipt_hash], [`0x${'cd'.repeat(32)}`]], ['bytes32'])
    const root = tree.root as Hex
    return { ...p, batch: { ...p.batch!, root }, proof: tree.getProof(0) as Hex[] }
  })
  t.teardown(liar.close)
  const summary = await verifyThrough(liar.apiBase)
  t.equal(summary.settled, 0, 'nothing counts as settled')
  t.equal(summary.invalid.length, EVERY, 'every receipt is invalid')
  t.ok(summary.invalid.every((i) => /the vault holds root 0x[0-9a-f]{64} for batch/.test(i.why)),
    'because its proof leads to a root other than the vault\'s')
})

t.test('lists receipts the coordinator refused, with its reason', async (t) => {
  const liar = await lyingCoordinator((p) => ({
    ...p, status: 'refused', reason: 'operator is not registered for the node', batch: null,
    proof: null
  }))
  t.teardown(liar.close)
  const summary = await verifyThrough(liar.apiBase)
  const byHash = (a: { receipt_hash: string }, b: { receipt_hash: string }) =>
    a.receipt_hash.localeCompare(b.receipt_hash)
  t.same(summary.refused.sort(byHash), served.map((s) => ({
    request_id: s.requestId, receipt_hash: s.hash, status: 'refused',
    reason: 'operator is not registered for the node'
  })).sort(byHash), 'each receipt is listed with its request id, status and reason')
  t.same([summary.settled, summary.pending, summary.invalid], [0, 0, []],
    'and counted nowhere else')
})

t.test('counts a receipt whose batch is not settled yet as pending', async (t) => {
  const extra = await complete(EVERY)
  await until('the node to log the receipt', async () =>
    (await readLog(dataDir)).some((e) => e.hash === extra.hash) ? true : undefined)
  const proof = await until('the coordinator to collect it', async () => proofOf(extra.hash))
  t.equal(proof.status, 'pending', 'the coordinator holds it for the next batch')

  const { code, summary } = await verifyCli(dataDir)
  t.same(summary, {
    operator, total: EVERY + 1, settled: EVERY, pending: 1, refused: [], unknown: [], invalid: []
  }, 'three settled, one pending')
  t.equal(code, 0, 'pending is not a failure')
})

t.test('keeps the log readable only by the operator', async (t) => {
  const { mode } = await stat(join(dataDir, 'receipts.jsonl'))
  t.equal(mode & 0o777, 0o600, 'mode 0600')
  t.ok((await readFile(join(dataDir, 'receipts.jsonl'), 'utf8')).endsWith('\n'),
    'every line is complete')
})
