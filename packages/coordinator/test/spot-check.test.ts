import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { creditsAbi, registryAbi } from '@parallelix/contracts'
import type { Hex } from 'viem'
import { startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import type { ManagedProcess } from '../../../scripts/lib/processes.ts'
import { TEST_MODEL_PATH } from '../../../scripts/lib/test-devnet.ts'
import {
  getReceipt, readDb, serveOne, startImpostor, until
} from './helpers/settlement-devnet.ts'

// Every deterministic request is checked; a caught operator loses 10% of its stake.
const COORDINATOR_ARGS = ['--spot-check-rate', '1', '--spot-check-slash-bps', '1000',
  '--settle-every-receipts', '2', '--settle-interval-ms', '600000']
// Operator index of the node that serves another GGUF under the same model id.
const CHEAT = 5

let devnet: Devnet
let stateDir: string
let cheat: ManagedProcess | undefined

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-spot-'))
  devnet = await startDevnet({
    nodes: 1, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 2,
    contextSize: 256, coordinatorArgs: COORDINATOR_ARGS
  })
})
t.teardown(async () => {
  await cheat?.stop('SIGKILL')
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

interface CheckRow {
  request_id: string
  request: string
  node: string
  status: string
  reference_outputs: string
  evidence_hash: string | null
  slash_amount: string | null
  slash_tx: string | null
}

function checkOf (requestId: string): CheckRow | undefined {
  const [row] = readDb<CheckRow>(stateDir, 'SELECT * FROM spot_checks WHERE request_id = ?',
    requestId)
  return row?.status === 'scheduled' ? undefined : row
}

function receiptRow (requestId: string) {
  return readDb<{ status: string, reason: string | null, cost: string, node: string }>(stateDir,
    'SELECT status, reason, cost, node FROM settlement_receipts WHERE request_id = ?',
    requestId)[0]
}

const honest: string[] = []

t.test('passes the checks of an honest node and settles its receipts', async (t) => {
  for (let i = 0; i < 2; i++) honest.push(await serveOne(devnet, devnet.apiBase, i))
  for (const id of honest) {
    const check = await until('a verdict', () => checkOf(id))
    t.equal(check.status, 'passed', `request ${id} was replayed and matched`)
    t.equal(check.node, devnet.nodes[0]!.peerId, 'the check is of the node that served it')
    const refs = JSON.parse(check.reference_outputs) as Array<{ node: string }>
    t.same(refs.map((r) => r.node), ['fallback'], 'on the coordinator\'s own hardware')
    t.equal(check.request, 'null', 'and the user\'s prompt was dropped after the verdict')
  }
  const receipts = await until('a confirmed batch', async () => {
    const all = await Promise.all(honest.map(async (id) =>
      getReceipt(devnet.apiBase, devnet.apiKey, id)))
    return all.every((r) => r.body.batch?.status === 'confirmed') ? all : undefined
  })
  t.equal(receipts.length, 2, 'both honest receipts settled on chain')
})

t.test('catches a node serving another GGUF under the same model id', async (t) => {
  // The honest node leaves, so the next requests can only go to the cheating one.
  await devnet.nodes[0]!.process.stop()
  const impostor = await startImpostor(devnet, stateDir, CHEAT)
  cheat = impostor.process
  const { peerId, operator } = impostor

  const registry = devnet.chain.contracts.registry
  const stakeOf = async () => devnet.chain.publicClient.readContract({
    address: registry, abi: registryAbi, functionName: 'stakeOf', args: [operator]
  })
  const stakeBefore = await stakeOf()

  const cheated = [await serveOne(devnet, devnet.apiBase, 10)]
  const check = await until('a verdict on the cheat', () => checkOf(cheated[0]!))
  t.equal(check.status, 'failed', 'the replay on the fallback does not match its output')
  t.equal(check.node, peerId, 'the check names the cheating node')
  t.match(check.evidence_hash, /^0x[0-9a-f]{64}$/, 'the evidence is hashed')
  const [reference] = JSON.parse(check.reference_outputs) as Array<{ node: string,
    modelHash: string }>
  t.equal(reference?.node, 'fallback', 'the reference is the coordinator\'s own hardware')
  t.match(JSON.parse(check.request) as unknown, { model: devnet.model.id, messages: [{}] },
    'the request is kept as evidence')

  const withheld = await until('the receipt withheld', () => {
    const row = receiptRow(cheated[0]!)
    return row?.status === 'withheld' ? row : undefined
  })
  t.same({ reason: withheld.reason, node: withheld.node },
    { reason: 'spot_check_failed', node: peerId }, 'its receipt is withheld from settlement')
  const entries = readDb<{ kind: string, amount: string }>(stateDir,
    `SELECT kind, amount FROM ledger_entries WHERE ref IN (?, ?) AND kind IN ('debit', 'refund')
    ORDER BY id`, cheated[0], `withheld:${cheated[0]}`)
  const debit = entries.find((e) => e.kind === 'debit')
  t.ok(debit !== undefined && BigInt(debit.amount) > 0n, 'the user was debited when served')
  t.equal(entries.filter((e) => e.kind === 'refund')
    .reduce((s, e) => s + BigInt(e.amount), 0n), BigInt(debit!.amount),
  'and refunded in full once the node was caught')

  // Slashed on chain with the evidence hash: 10% of its stake.
  const slashed = await until('the slash recorded', () => {
    const row = checkOf(cheated[0]!)
    return row?.slash_tx === null ? undefined : row
  })
  t.equal(BigInt(slashed!.slash_amount!), stakeBefore / 10n, 'the slash is 10% of its stake')
  t.equal(await stakeOf(), stakeBefore - stakeBefore / 10n, 'its stake on chain is lower')
  const events = await devnet.chain.publicClient.getContractEvents({
    address: registry, abi: registryAbi, eventName: 'OperatorSlashed', fromBlock: 0n,
    strict: true
  })
  t.same(events.map((e) => ({ operator: e.args.operator, evidence: e.args.evidenceHash })),
    [{ operator, evidence: check.evidence_hash as Hex }],
    'the registry slashed it once, citing the evidence hash')

  // Caught, it gets no more work: the fallback serves while it is the only node.
  const after = await fetch(`${devnet.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
    body: JSON.stringify({
      model: devnet.model.id, max_tokens: 4, temperature: 0,
      messages: [{ role: 'user', content: 'Once upon a time' }]
    })
  })
  const body = await after.json() as { parallelix: { node: string } }
  t.equal(after.status, 200, 'requests are still served')
  t.equal(body.parallelix.node, 'fallback', 'but not by the caught node')

  const unpaid = await devnet.chain.publicClient.readContract({
    address: devnet.chain.contracts.credits, abi: creditsAbi, functionName: 'totalEarned',
    args: [operator]
  })
  t.equal(unpaid, 0n, 'the caught operator earned nothing')
  const res = await fetch(`${devnet.apiBase}/operators/${operator}/earnings`)
  const earnings = await res.json() as { unpaid_receipts: Record<string, number>,
    settled: string, pending: string }
  t.equal(res.status, 200, 'an operator reads its earnings without an account')
  t.same({ unpaid: earnings.unpaid_receipts, settled: earnings.settled,
    pending: earnings.pending },
  { unpaid: { refused: 0, withheld: 1, quarantined: 0 }, settled: '0', pending: '0' },
  'and sees its one receipt withheld, nothing settled or pending')
})
