import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { creditsAbi, planSettlement, prlxAbi } from '@parallelix/contracts'
import type { Address, Hex } from 'viem'
import { ROOT, startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import { spawnLogged, type ManagedProcess } from '../../../scripts/lib/processes.ts'
import { provisionDemoAccount } from '../../../scripts/lib/demo-account.ts'
import { parseReceiptRecord, verifyReceipt } from '../../sdk/src/receipt.ts'
import {
  getReceipt, leafOf, readDb, serveOne, settlementLogs, until
} from './helpers/settlement-devnet.ts'
import { rpcProxy } from './helpers/rpc-proxy.ts'

const MODEL = process.env.PARALLELIX_TEST_MODEL ?? '/work/shared/models/stories260K.gguf'
const CHAIN_PORT = 8693
const PROXY_PORT = 8694
const EVERY = 3
const SETTLE_ARGS = ['--settle-every-receipts', String(EVERY), '--settle-interval-ms', '600000']

let devnet: Devnet
let stateDir: string
let apiBase: string
let restarted: ManagedProcess | undefined
let restartedAddrs: string[] = []
let stranger: ManagedProcess | undefined
const proxy = rpcProxy(PROXY_PORT, CHAIN_PORT)
const served: string[] = []

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-settle-'))
  devnet = await startDevnet({
    nodes: 1, model: MODEL, port: 0, stateDir, threads: 1, slots: 2, contextSize: 256,
    chainPort: CHAIN_PORT, coordinatorArgs: SETTLE_ARGS
  })
  apiBase = devnet.apiBase
})
t.teardown(async () => {
  await stranger?.stop('SIGKILL')
  await proxy.down()
  await restarted?.stop('SIGKILL')
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

function read (fn: string, args: unknown[]): Promise<unknown> {
  return devnet.chain.publicClient.readContract({
    address: devnet.chain.contracts.credits, abi: creditsAbi, functionName: fn, args
  } as never)
}

/** Waits until every request's receipt shows a confirmed batch; returns the receipts. */
async function confirmedReceipts (ids: string[]) {
  return until('confirmed receipts', async () => {
    const all = await Promise.all(ids.map(async (id) => getReceipt(apiBase, devnet.apiKey, id)))
    return all.every((r) => r.body.batch?.status === 'confirmed') ? all : undefined
  })
}

/** Off-chain, what the ledger charged the demo user for the requests it metered. */
function ledgerCharged (): bigint {
  const rows = readDb<{ cost: string }>(stateDir,
    'SELECT cost FROM ledger_requests WHERE account = ?', devnet.account.toLowerCase())
  return rows.reduce((s, r) => s + BigInt(r.cost), 0n)
}

/** Off-chain, what the ledger charged for the requests whose receipts went into batches. */
function batchedCharged (): bigint {
  const rows = readDb<{ cost: string }>(stateDir, `SELECT l.cost FROM ledger_requests l
    JOIN settlement_receipts s ON s.request_id = l.request_id WHERE s.status = 'batched'`)
  return rows.reduce((s, r) => s + BigInt(r.cost), 0n)
}

t.test('settles served receipts in a confirmed batch whose proofs verify on chain', async (t) => {
  const balanceBefore = await read('balanceOf', [devnet.account]) as bigint
  for (let i = 0; i < EVERY; i++) served.push(await serveOne(devnet, apiBase, i))

  const receipts = await confirmedReceipts(served)
  const batch = receipts[0]!.body.batch!
  t.same(new Set(receipts.map((r) => r.body.batch!.id)).size, 1, 'one batch holds all three')
  t.equal(await read('batchRoot', [batch.id]), batch.root, 'the vault holds the batch root')
  for (const { body } of receipts) {
    const ok = await read('verifyReceipt', [batch.id, leafOf(body.poe.hash), body.proof])
    t.equal(ok, true, `the proof of ${body.receipt.requestId} verifies against the vault`)
  }

  const verified = await verifyReceipt(parseReceiptRecord(receipts[0]!.body), {
    onchain: { client: devnet.chain.publicClient, address: devnet.chain.contracts.credits }
  })
  t.same(verified, { signer: receipts[0]!.body.receipt.operator, inclusion: 'verified',
    onchain: 'verified' }, 'the SDK verifies the route\'s record against the chain')

  const charged = ledgerCharged()
  const logs = await settlementLogs(devnet)
  t.ok(charged > 0n, 'the requests cost something')
  t.equal(logs.debited, charged, 'on-chain debits equal off-chain charges to the wei')
  t.equal(balanceBefore - (await read('balanceOf', [devnet.account]) as bigint), charged,
    'the user\'s vault balance fell by exactly what was charged')

  const operator = devnet.nodes[0]!.operator as Address
  const shareBps = BigInt(await read('shareBps', []) as number)
  const plan = planSettlement([{ user: devnet.account as Address, operator, amount: charged }],
    shareBps)
  t.equal(await read('totalEarned', [operator]), plan.credited,
    'the operator earned 85% of the debits, rounded as planSettlement rounds')
  t.equal(logs.credited, plan.credited, 'credits on chain total the operator share')

  const res = await fetch(`${apiBase}/operators/${operator}/earnings`, {
    headers: { authorization: `Bearer ${devnet.apiKey}` }
  })
  const earnings = await res.json() as Record<string, unknown>
  t.equal(earnings.settled, plan.credited.toString(), 'the earnings route reports it settled')
  t.equal(earnings.claimable, plan.credited.toString(), 'and claimable from the vault')
  t.equal(earnings.pending, '0', 'with nothing pending')
  t.same((earnings.batches as Array<Record<string, unknown>>).map((b) =>
    [b.id, b.receipts, b.operator_receipts, b.amount]),
  [[batch.id, EVERY, EVERY, plan.credited.toString()]], 'per batch, with its own receipts')

  const settled = readDb<{ amount: string }>(stateDir, `SELECT amount FROM ledger_entries
    WHERE kind = 'settlement' AND account = ?`, devnet.account.toLowerCase())
  t.same(settled.map((r) => BigInt(r.amount)), [charged], 'the ledger recorded the settlement once')

  const usage = await (await fetch(`${apiBase}/usage`, {
    headers: { authorization: `Bearer ${devnet.apiKey}` }
  })).json() as { receipts: Array<{ request_id: string, receipt_hash: string, status: string,
    batch_id: string, cost: string, url: string }> }
  t.same(usage.receipts.map((r) => r.request_id).sort(), [...served].sort(),
    '/v1/usage lists the receipts of the requests')
  t.same(usage.receipts.map((r) => [r.status, r.batch_id, r.url]).sort(),
    served.map((id) => ['batched', batch.id, `/v1/receipts/${id}`]).sort(),
    'each with its settlement and a link to its receipt')
  t.equal(usage.receipts.reduce((s, r) => s + BigInt(r.cost), 0n), charged,
    'their costs add up to what was charged')
})

t.test('answers 404 for a receipt of another account', async (t) => {
  const anonymous = await fetch(`${apiBase}/receipts/${served[0]}`)
  t.equal(anonymous.status, 401, 'without a key the route needs auth')
  const { anvil } = devnet.chain
  const other = await provisionDemoAccount({
    apiBase, rpcUrl: anvil.rpcUrl, chainId: anvil.chainId,
    contracts: { prlx: devnet.chain.contracts.token, credits: devnet.chain.contracts.credits },
    userKey: anvil.privateKeys[9]!, coordinatorAddress: anvil.accounts[1]!,
    depositAmount: 0n, cap: 10n ** 18n, waitForCreditMs: 0, keyName: 'other'
  })
  const foreign = await getReceipt(apiBase, other.apiKey, served[0]!)
  t.equal(foreign.status, 404, 'another account does not see the receipt')
  const own = await getReceipt(apiBase, devnet.apiKey, served[0]!)
  t.equal(own.status, 200, 'its owner does')
})

t.test('lets an operator claim its earnings with parallelix-node receipts claim', async (t) => {
  const operator = devnet.nodes[0]!.operator as Address
  const token = devnet.chain.contracts.token
  const balance = async () => devnet.chain.publicClient.readContract({
    address: token, abi: prlxAbi, functionName: 'balanceOf', args: [operator]
  })
  const claimable = await read('earningsOf', [operator]) as bigint
  const before = await balance()
  const { anvil, contracts } = devnet.chain
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(ROOT, 'packages/node/bin/parallelix-node.js'), 'receipts', 'claim',
    '--rpc-url', anvil.rpcUrl, '--chain-id', String(anvil.chainId), '--credits', contracts.credits,
    '--data-dir', join(stateDir, 'node-0')
  ], { env: { ...process.env, PARALLELIX_OPERATOR_KEY: devnet.chain.operatorKey(0) } })
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { amount: string }
  t.ok(claimable > 0n, 'the operator had earnings to claim')
  t.equal(result.amount, claimable.toString(), 'the command claimed all of them')
  t.equal(await balance() - before, claimable, 'and its PRLX balance rose by that much')
  t.equal(await read('earningsOf', [operator]), 0n, 'leaving nothing claimable')
})

t.test('confirms a batch once after a kill -9 mid-submission and an RPC outage', async (t) => {
  const client = devnet.chain.publicClient
  await client.request({ method: 'evm_setAutomine' as never, params: [false] as never })
  const more: string[] = []
  for (let i = 0; i < EVERY; i++) more.push(await serveOne(devnet, apiBase, 10 + i))
  const submitted = await until('a submitted batch', () => readDb<{ batch_id: Hex,
    tx_hash: Hex }>(stateDir,
    "SELECT batch_id, tx_hash FROM settlement_batches WHERE status = 'submitted'")[0])

  process.kill(devnet.coordinator.pid, 'SIGKILL')
  await client.request({ method: 'evm_mine' as never, params: [] as never })
  await client.request({ method: 'evm_setAutomine' as never, params: [true] as never })

  // The restarted coordinator reaches the chain through a relay that starts down.
  restarted = spawnLogged('coordinator-2', process.execPath, [
    join(ROOT, 'packages/coordinator/bin/parallelix-coordinator.js'), '--port', '0',
    '--data-dir', join(stateDir, 'coordinator'), '--rpc-url', proxy.url,
    '--chain-id', String(devnet.chain.anvil.chainId), '--credits', devnet.chain.contracts.credits,
    '--confirmations', '1', '--vault-poll-ms', '250', ...SETTLE_ARGS,
    '--fallback-model', MODEL, '--fallback-threads', '1', '--fallback-slots', '1'
  ], join(stateDir, 'logs', 'coordinator-2.log'),
  { PARALLELIX_COORDINATOR_KEY: devnet.chain.coordinatorKey })
  const failing = restarted.waitForLog(
    (l) => l.msg === 'settlement batch failed; will retry', 30_000)
  const ready = await restarted.waitForLog<{ apiBase: string, multiaddrs: string[] }>(
    (l) => l.msg === 'coordinator ready', 30_000)
  apiBase = ready.apiBase
  restartedAddrs = ready.multiaddrs
  await failing
  const whileDown = await serveOne(devnet, apiBase, 30)
  t.ok(whileDown.length > 0, 'a request is served while the RPC is down')
  t.same(readDb<{ status: string, tx: string }>(stateDir, 'SELECT status, tx_hash AS tx ' +
    'FROM settlement_batches WHERE batch_id = ?', submitted.batch_id),
  [{ status: 'failed', tx: submitted.tx_hash }],
  'the batch waits for a retry, its transaction kept, while the RPC is down')
  await proxy.up()

  const receipts = await confirmedReceipts(more)
  t.ok(receipts.every((r) => r.body.batch!.id === submitted.batch_id),
    'the batch submitted before the crash is the one confirmed')
  const logs = await settlementLogs(devnet)
  t.equal(logs.settled.length, 2, 'two batches settled on chain in all')
  t.equal(new Set(logs.settled).size, 2, 'no batch id settled twice')
  const charged = batchedCharged()
  t.equal(logs.debited, charged, 'on-chain debits still equal off-chain charges to the wei')

  const perRequest = readDb<{ n: number }>(stateDir, `SELECT count(*) AS n FROM
    settlement_receipts GROUP BY request_id HAVING n <> 1`)
  t.same(perRequest, [], 'every receipt is in exactly one row')
  const batched = readDb<{ n: number }>(stateDir, `SELECT count(*) AS n
    FROM settlement_receipts WHERE status = 'batched'`)
  t.same(batched, [{ n: 2 * EVERY }], 'all six receipts of registered operators are batched')
  const settled = readDb<{ amount: string }>(stateDir, `SELECT amount FROM ledger_entries
    WHERE kind = 'settlement' AND account = ?`, devnet.account.toLowerCase())
  t.equal(settled.length, 2, 'the ledger recorded each batch once')
  t.equal(settled.reduce((s, r) => s + BigInt(r.amount), 0n), charged,
    'and its settled total equals the chain\'s debits')
})

t.test('refuses, and never pays, a receipt of an operator the registry lacks', async (t) => {
  // The restarted coordinator has no node yet, so its own unregistered fallback serves.
  const requestId = await serveOne(devnet, apiBase, 20)
  const row = await until('the receipt collected', () => readDb<{ status: string,
    reason: string, operator: string }>(stateDir, `SELECT status, reason, operator
    FROM settlement_receipts WHERE request_id = ?`, requestId)[0])
  t.same({ status: row.status, reason: row.reason },
    { status: 'refused', reason: 'operator_not_registered' }, 'it is refused with the reason')
  const { body } = await getReceipt(apiBase, devnet.apiKey, requestId)
  t.equal(body.batch, null, 'it is in no batch')
  t.equal(await read('totalEarned', [row.operator]), 0n, 'its operator earned nothing')
  const entries = readDb<{ kind: string, amount: string }>(stateDir, `SELECT kind, amount
    FROM ledger_entries WHERE ref = ? AND kind IN ('debit', 'refund') ORDER BY id`, requestId)
  t.same(entries.map((e) => e.kind), ['debit', 'refund'], 'the user was debited, then refunded')
  t.equal(entries[1]?.amount, entries[0]?.amount, 'exactly what was debited')
  t.ok(BigInt(entries[0]!.amount) > 0n, 'for a request that cost something')
})

t.test('lowers the standing of a node whose operator is not registered', async (t) => {
  stranger = spawnLogged('stranger', process.execPath, [
    join(ROOT, 'packages/node/bin/parallelix-node.js'), '--model', MODEL,
    '--model-id', devnet.model.id, '--data-dir', join(stateDir, 'stranger'), '--threads', '1',
    '--slots', '1', '--context-size', '256', ...restartedAddrs.flatMap((a) => ['--bootstrap', a])
  ], join(stateDir, 'logs', 'stranger.log'),
  { PARALLELIX_OPERATOR_KEY: devnet.chain.operatorKey(6) })
  const { peerId } = await stranger.waitForLog<{ peerId: string }>(
    (l) => l.msg === 'node serving', 120_000)
  await until('the stranger in the pool', async () => {
    const res = await fetch(`${apiBase}/nodes`, {
      headers: { authorization: `Bearer ${devnet.apiKey}` }
    })
    const body = await res.json() as { data: Array<{ peer_id: string }> }
    return body.data.some((n) => n.peer_id === peerId) ? true : undefined
  }, 30_000)
  const lowered = restarted!.waitForLog<{ standing: number }>(
    (l) => l.msg === 'node standing changed' && l.peerId === peerId, 30_000)

  const requestId = await serveOne(devnet, apiBase, 40)
  const row = await until('the receipt collected', () => readDb<{ node: string,
    reason: string }>(stateDir, 'SELECT node, reason FROM settlement_receipts ' +
    'WHERE request_id = ?', requestId)[0])
  t.same(row, { node: peerId, reason: 'operator_not_registered' }, 'its receipt is refused')
  t.equal((await lowered).standing, 0.5, 'and its standing is halved')
})
