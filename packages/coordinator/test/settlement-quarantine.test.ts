import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { creditsAbi, planSettlement, prlxAbi } from '@parallelix/contracts'
import { createWalletClient, http, parseEther, type Address, type Hex } from 'viem'
import { privateKeyToAccount, privateKeyToAddress } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import { TEST_MODEL_PATH } from '../../../scripts/lib/test-devnet.ts'
import { provisionDemoAccount } from '../../../scripts/lib/demo-account.ts'
import { processProof } from './helpers/merkle.ts'
import {
  getReceipt, leafOf, readDb, serveOne, settlementLogs, until, type ReceiptBody
} from './helpers/settlement-devnet.ts'

/**
 * Four receipts make a batch. The interval is long enough that the first batch waits for
 * all four, and short enough that receipts put back by the quarantine come due on their
 * own (their age counts from when they were first collected), without new traffic.
 */
const EVERY = 4
const INTERVAL_MS = 20_000
const COORDINATOR_ARGS = [
  '--no-fallback', '--spot-check-rate', '0', '--settle-every-receipts', String(EVERY),
  '--settle-interval-ms', String(INTERVAL_MS)
]
/** Three refused attempts with backoff 1 s and 2 s between them, plus the passes around. */
const QUARANTINE_TIMEOUT_MS = 90_000
const CONFIRM_TIMEOUT_MS = 90_000
/** anvil account of user B: past the coordinator, the demo user and the one operator. */
const USER_B_INDEX = 10
const B_DEPOSIT = parseEther('100')

type Asserts = Pick<typeof t, 'equal'>

interface Route extends ReceiptBody {
  settlement: { status: string, reason: string | null } | null
}

interface ReceiptRow {
  request_id: string
  status: string
  reason: string | null
  batch_id: string | null
}

interface BatchRow {
  batch_id: Hex
  seq: number
  status: string
  receipt_count: number
  attempts: number
  last_error: string | null
}

let devnet: Devnet
let stateDir: string
let userB: { apiKey: string, account: Address, key: Hex }
let coordinator: Address
let depositA: bigint
const servedA: string[] = []
const servedB: string[] = []
let quarantined: BatchRow
let second: BatchRow

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-quarantine-'))
  devnet = await startDevnet({
    nodes: 1, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 2,
    contextSize: 256, coordinatorArgs: COORDINATOR_ARGS
  })
  const { anvil, contracts } = devnet.chain
  coordinator = privateKeyToAddress(devnet.chain.coordinatorKey)
  const key = anvil.privateKeys[USER_B_INDEX]!

  // B may not mint, so the admin (anvil account 0, PRLX's minter) funds it first.
  const admin = wallet(anvil.privateKeys[0]!)
  await confirm(await admin.writeContract({
    address: contracts.token, abi: prlxAbi, functionName: 'mint',
    args: [privateKeyToAddress(key), B_DEPOSIT]
  }))
  const b = await provisionDemoAccount({
    apiBase: devnet.apiBase, rpcUrl: anvil.rpcUrl, chainId: anvil.chainId,
    contracts: { prlx: contracts.token, credits: contracts.credits },
    userKey: key, coordinatorAddress: coordinator, depositAmount: B_DEPOSIT, keyName: 'user-b'
  })
  userB = { apiKey: b.apiKey, account: b.account, key }
  depositA = await read('balanceOf', [devnet.account]) as bigint
})
t.teardown(async () => {
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

function wallet (key: Hex) {
  return createWalletClient({
    account: privateKeyToAccount(key),
    chain: { ...foundry, id: devnet.chain.anvil.chainId },
    transport: http(devnet.chain.anvil.rpcUrl)
  })
}

async function confirm (hash: Hex): Promise<void> {
  const receipt = await devnet.chain.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
}

async function read (fn: string, args: unknown[]): Promise<unknown> {
  return devnet.chain.publicClient.readContract({
    address: devnet.chain.contracts.credits, abi: creditsAbi, functionName: fn, args
  } as never)
}

/** Sends one small completion with `apiKey`; returns its request id. */
async function complete (apiKey: string, i: number): Promise<string> {
  return serveOne(devnet, devnet.apiBase, i, apiKey)
}

async function route (apiKey: string, requestId: string): Promise<Route> {
  const { status, body } = await getReceipt(devnet.apiBase, apiKey, requestId)
  if (status !== 200) throw new Error(`GET /v1/receipts/${requestId}: ${status}`)
  return body as Route
}

function receiptsOf (ids: string[]): ReceiptRow[] {
  return readDb<ReceiptRow>(stateDir, `SELECT request_id, status, reason, batch_id
    FROM settlement_receipts WHERE parent_id IN (${ids.map(() => '?').join(', ')})
    ORDER BY request_id`, ...ids)
}

function batches (): BatchRow[] {
  return readDb<BatchRow>(stateDir, `SELECT batch_id, seq, status, receipt_count, attempts,
    last_error FROM settlement_batches ORDER BY seq`)
}

/** What the ledger charged for these requests, off chain. */
function charged (ids: string[]): bigint {
  return readDb<{ cost: string }>(stateDir, `SELECT cost FROM ledger_requests
    WHERE request_id IN (${ids.map(() => '?').join(', ')})`, ...ids)
    .reduce((s, r) => s + BigInt(r.cost), 0n)
}

/** Waits until the demo user's receipts of `ids` all show a confirmed batch. */
async function confirmed (ids: string[], apiKey = devnet.apiKey): Promise<Route[]> {
  return until('confirmed receipts', async () => {
    const all = await Promise.all(ids.map(async (id) => route(apiKey, id)))
    return all.every((r) => r.batch?.status === 'confirmed') ? all : undefined
  }, CONFIRM_TIMEOUT_MS)
}

/** Checks that each receipt's proof leads to the root the vault stored for its batch. */
async function verifiesOnChain (t: Asserts, receipts: Route[]): Promise<void> {
  for (const r of receipts) {
    const batch = r.batch!
    const root = await read('batchRoot', [batch.id]) as Hex
    const leaf = leafOf(r.poe.hash)
    t.equal(processProof(r.proof!, leaf), root,
      `the proof of ${r.receipt.requestId} folds up to the vault's batch root`)
    t.equal(await read('verifyReceipt', [batch.id, leaf, r.proof]), true,
      'and the vault verifies it')
  }
}

/** The operator's on-chain share of each batch's debits, planned as the worker plans them. */
async function share (batchesOfIds: string[][]): Promise<bigint> {
  const shareBps = BigInt(await read('shareBps', []) as number)
  const operator = devnet.nodes[0]!.operator as Address
  return batchesOfIds.reduce((sum, ids) => sum + planSettlement(ids.map((id) => ({
    user: devnet.account as Address, operator, amount: charged([id])
  })), shareBps).credited, 0n)
}

t.test('quarantines a batch the vault refuses because a user revoked its authorization',
  async (t) => {
    servedA.push(await complete(devnet.apiKey, 0), await complete(devnet.apiKey, 1))
    servedB.push(await complete(userB.apiKey, 2))
    const b = wallet(userB.key)
    await confirm(await b.writeContract({
      address: devnet.chain.contracts.credits, abi: creditsAbi,
      functionName: 'revokeAuthorization', args: [coordinator]
    }))
    servedB.push(await complete(userB.apiKey, 3))
    const started = Date.now()

    quarantined = await until('a quarantined batch',
      () => batches().find((b) => b.status === 'quarantined'), QUARANTINE_TIMEOUT_MS)
    t.comment(`quarantined ${Date.now() - started} ms after the fourth receipt was served, ` +
      `after ${quarantined.attempts} attempts`)
    t.equal(quarantined.seq, 1, 'the first batch is the one quarantined')
    t.equal(quarantined.receipt_count, EVERY, 'it held all four receipts, A\'s and B\'s')
    t.equal(quarantined.attempts, 3, 'the vault refused it three times first')
    t.match(quarantined.last_error, /Credits_NoAuthorization/, 'for B\'s missing authorization')
    t.equal(await read('batchRoot', [quarantined.batch_id]), `0x${'0'.repeat(64)}`,
      'it never settled on chain')

    const b2 = receiptsOf(servedB)
    t.equal(b2.length, 2, 'B has two receipts')
    const reason = b2[0]!.reason
    t.comment(`B's receipts are quarantined with reason ${JSON.stringify(reason)}`)
    t.same(b2.map((r) => ({ status: r.status, reason: r.reason, batch: r.batch_id })),
      b2.map(() => ({ status: 'quarantined', reason: 'Credits_NoAuthorization',
        batch: quarantined.batch_id })),
      'B\'s receipts stay quarantined in the refused batch, with the revert\'s error name')

    const b1 = await route(userB.apiKey, servedB[0]!)
    t.same(b1.settlement, { status: 'quarantined', reason: 'Credits_NoAuthorization' },
      'GET /v1/receipts shows B the quarantine and its reason')
    t.equal(b1.batch?.status, 'quarantined', 'and the batch\'s status')

    t.equal(await read('authorizationNonce', [userB.account]), 1n,
      'revoking consumed the nonce of the authorization B signed at sign-in')
    t.same(await read('authorizationOf', [userB.account, coordinator]), [0n, 0n, 0n],
      'so the coordinator could not authorize B\'s debits again')
  })

t.test('settles the other user\'s receipts in a later confirmed batch', async (t) => {
  const receipts = await confirmed(servedA)
  const batchId = receipts[0]!.batch!.id
  t.ok(receipts.every((r) => r.batch!.id === batchId), 'one batch holds both of A\'s receipts')
  t.not(batchId, quarantined.batch_id, 'a batch other than the quarantined one')
  second = batches().find((b) => b.batch_id === batchId)!
  t.same({ seq: second.seq, status: second.status, count: second.receipt_count },
    { seq: 2, status: 'confirmed', count: 2 }, 'the next batch, with A\'s two receipts only')
  t.same(receiptsOf(servedA).map((r) => ({ status: r.status, batch: r.batch_id })),
    servedA.map(() => ({ status: 'batched', batch: batchId })), 'A\'s receipts are batched in it')
  await verifiesOnChain(t, receipts)

  const chargedA = charged(servedA)
  t.ok(chargedA > 0n, 'A\'s requests cost something')
  t.equal(depositA - (await read('balanceOf', [devnet.account]) as bigint), chargedA,
    'A\'s vault balance fell by exactly what the ledger charged A')
  t.equal(await read('balanceOf', [userB.account]), B_DEPOSIT,
    'B\'s vault balance is still its deposit')
  const logs = await settlementLogs(devnet)
  t.same(logs.settled, [batchId], 'only that batch settled on chain')
  t.equal(logs.debited, chargedA, 'and it debited A\'s charges alone')
  const operator = devnet.nodes[0]!.operator
  t.equal(await read('totalEarned', [operator]), await share([servedA]),
    'the operator earned its share of A\'s debits only')
})

t.test('keeps settling later batches after the quarantine', async (t) => {
  const more: string[] = []
  for (let i = 0; i < EVERY; i++) more.push(await complete(devnet.apiKey, 10 + i))
  const receipts = await confirmed(more)
  const batchId = receipts[0]!.batch!.id
  t.ok(receipts.every((r) => r.batch!.id === batchId), 'one batch holds the four new receipts')
  t.same(batches().map((b) => ({ seq: b.seq, status: b.status, count: b.receipt_count })), [
    { seq: 1, status: 'quarantined', count: EVERY },
    { seq: 2, status: 'confirmed', count: 2 },
    { seq: 3, status: 'confirmed', count: EVERY }
  ], 'a third batch confirmed after the quarantined and the requeued one')
  await verifiesOnChain(t, receipts)

  const chargedA = charged([...servedA, ...more])
  t.equal(depositA - (await read('balanceOf', [devnet.account]) as bigint), chargedA,
    'A\'s vault balance fell by all six charges')
  t.equal(await read('balanceOf', [userB.account]), B_DEPOSIT, 'B\'s still did not move')
  const logs = await settlementLogs(devnet)
  t.same(logs.settled, [second.batch_id, batchId], 'two batches settled on chain in all')
  t.equal(logs.debited, chargedA, 'on-chain debits equal A\'s off-chain charges to the wei')
  t.equal(await read('totalEarned', [devnet.nodes[0]!.operator]), await share([servedA, more]),
    'the operator earned its share of each of A\'s batches')

  const settledOf = (account: string) => readDb<{ amount: string }>(stateDir, `SELECT amount
    FROM ledger_entries WHERE kind = 'settlement' AND account = ?`, account.toLowerCase())
  t.same(settledOf(devnet.account).map((r) => BigInt(r.amount)),
    [charged(servedA), charged(more)], 'the ledger recorded A\'s two settlements once each')
  t.same(settledOf(userB.account), [], 'and no settlement of B')
})

t.test('settles the quarantined receipts once their user authorizes again', async (t) => {
  // B signs in again: a fresh spending authorization, with nothing more deposited.
  const { anvil, contracts } = devnet.chain
  await provisionDemoAccount({
    apiBase: devnet.apiBase, rpcUrl: anvil.rpcUrl, chainId: anvil.chainId,
    contracts: { prlx: contracts.token, credits: contracts.credits },
    userKey: userB.key, coordinatorAddress: coordinator, depositAmount: 0n, cap: B_DEPOSIT,
    keyName: 'user-b-2'
  })
  const receipts = await confirmed(servedB, userB.apiKey)
  const batchId = receipts[0]!.batch!.id
  t.ok(receipts.every((r) => r.batch!.id === batchId), 'B\'s two receipts settle in one batch')
  await verifiesOnChain(t, receipts)
  t.same(batches().map((b) => b.status),
    ['quarantined', 'confirmed', 'confirmed', 'confirmed'], 'in a fourth batch')
  const chargedB = charged(servedB)
  t.ok(chargedB > 0n, 'B\'s requests cost something')
  t.equal(B_DEPOSIT - (await read('balanceOf', [userB.account]) as bigint), chargedB,
    'B\'s vault balance fell by exactly what the ledger charged B')
})
