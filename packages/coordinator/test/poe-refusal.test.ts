import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { creditsAbi } from '@parallelix/contracts'
import { startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import { TEST_MODEL_PATH } from '../../../scripts/lib/test-devnet.ts'
import { startDishonestNode, type DishonestNode, type Fault } from './helpers/dishonest-node.ts'
import { getReceipt, readDb, until, type ReceiptBody } from './helpers/settlement-devnet.ts'

/** No fallback to serve instead of the dishonest node, and no batch comes due during the test. */
const COORDINATOR_ARGS = [
  '--no-fallback', '--settle-every-receipts', '1000', '--settle-interval-ms', '600000'
]
/** How long a refusal may take to show in the route, the receipts and the ledger. */
const REFUSAL_TIMEOUT_MS = 30_000

interface Served {
  status: number
  content: string | undefined
  requestId: string
  node: DishonestNode
  /** The standing the coordinator gave the node once it refused the receipt. */
  standing: number
}

interface Refusal {
  route: ReceiptBody & { settlement?: { status: string, reason: string | null } | null }
  receipt: { status: string, reason: string | null, batch_id: string | null } | undefined
  entries: Array<{ kind: string, amount: string }>
}

let devnet: Devnet
let stateDir: string
let running: DishonestNode | undefined

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-poe-refusal-'))
  devnet = await startDevnet({
    nodes: 0, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 1,
    contextSize: 256, coordinatorArgs: COORDINATOR_ARGS
  })
})
t.teardown(async () => {
  await running?.stop()
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

/** Peer ids GET /v1/nodes lists. */
async function pool (): Promise<string[]> {
  const res = await fetch(`${devnet.apiBase}/nodes`, {
    headers: { authorization: `Bearer ${devnet.apiKey}` }
  })
  return ((await res.json()) as { data: Array<{ peer_id: string }> }).data.map((n) => n.peer_id)
}

/** The id of the newest request the ledger recorded after row `afterId`. */
function newestRequest (afterId: number): { id: number, request_id: string } | undefined {
  return readDb<{ id: number, request_id: string }>(stateDir,
    'SELECT id, request_id FROM ledger_requests WHERE id > ? ORDER BY id DESC LIMIT 1',
    afterId)[0]
}

/**
 * Starts a node with `fault` as devnet operator `index`, waits until the pool lists it,
 * sends it one completion with the demo user's key and stops it again.
 */
async function serveWith (fault: Fault, index: number): Promise<Served> {
  const node = running = await startDishonestNode({
    fault, chain: devnet.chain, operatorIndex: index, bootstrap: devnet.coordinator.multiaddrs,
    modelPath: devnet.model.path, modelId: devnet.model.id, dataDir: join(stateDir, fault)
  })
  try {
    await until(`${fault} node in the pool`,
      async () => (await pool()).includes(node.peerId) ? true : undefined, 30_000)
    const before = newestRequest(0)?.id ?? 0
    const lowered = devnet.coordinator.process.waitForLog<{ standing: number }>(
      (l) => l.msg === 'node standing changed' && l.peerId === node.peerId, 30_000)
    const res = await fetch(`${devnet.apiBase}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
      body: JSON.stringify({
        model: devnet.model.id, max_tokens: 8, temperature: 0,
        messages: [{ role: 'user', content: `Once upon a time ${index}` }]
      })
    })
    const body = await res.json() as {
      choices?: Array<{ message: { content: string } }>, parallelix?: { request_id: string }
    }
    // A refused answer carries no request id; the ledger's record of it does.
    const recorded = await until('the ledger record of the request', () => newestRequest(before))
    return {
      status: res.status,
      content: body.choices?.[0]?.message.content,
      requestId: body.parallelix?.request_id ?? recorded.request_id,
      node,
      standing: (await lowered).standing
    }
  } finally {
    await node.stop()
    running = undefined
  }
}

/**
 * The request's settlement state once it shows the refusal in the route, the receipts and
 * the ledger; if it never does, whatever state it reached, so the assertions say what is off.
 */
async function refusalOf (requestId: string): Promise<Refusal> {
  const read = async (): Promise<Refusal> => ({
    route: (await getReceipt(devnet.apiBase, devnet.apiKey, requestId)).body as Refusal['route'],
    receipt: readDb<Refusal['receipt'] & object>(stateDir, `SELECT status, reason, batch_id
      FROM settlement_receipts WHERE request_id = ?`, requestId)[0],
    entries: readDb<{ kind: string, amount: string }>(stateDir,
      'SELECT kind, amount FROM ledger_entries WHERE ref = ? ORDER BY id', requestId)
  })
  const refused = (r: Refusal) => r.route.settlement?.status === 'refused' &&
    r.receipt?.status === 'refused' && r.entries.some((e) => e.kind === 'refund')
  try {
    return await until(`the refusal of ${requestId}`, async () => {
      const r = await read()
      return refused(r) ? r : undefined
    }, REFUSAL_TIMEOUT_MS)
  } catch {
    return read()
  }
}

/** The signed receipt the coordinator's ledger recorded for the request. */
function recordedReceipt (requestId: string): { node?: string, operator?: string } | undefined {
  const [row] = readDb<{ receipt: string | null }>(stateDir,
    'SELECT receipt FROM ledger_requests WHERE request_id = ?', requestId)
  const frames = JSON.parse(row?.receipt ?? 'null') as unknown
  const final = (Array.isArray(frames) ? frames : [frames]).at(-1) as
    { receipt?: { node?: string, operator?: string } } | null
  return final?.receipt
}

const cases: Array<{ fault: Fault, reason: string, title: string }> = [
  { fault: 'wrong_key', reason: 'bad_signature',
    title: 'refuses to pay a receipt signed by a key other than the advertised operator\'s' },
  { fault: 'altered_output', reason: 'output_mismatch',
    title: 'refuses to pay a receipt whose output hash does not cover the text relayed' },
  { fault: 'inflated_tokens', reason: 'token_count_mismatch',
    title: 'refuses to pay a receipt that claims more tokens than were relayed' }
]

for (const [index, { fault, reason, title }] of cases.entries()) {
  t.test(title, async (t) => {
    const served = await serveWith(fault, index)
    const { requestId, node } = served
    const recorded = recordedReceipt(requestId)
    t.equal(recorded?.node, node.peerId, 'the coordinator recorded the receipt the node signed')
    if (fault === 'wrong_key') {
      t.not(recorded?.operator?.toLowerCase(), node.operator.toLowerCase(),
        'the receipt names a signer other than the advertised operator')
    }
    if (fault === 'altered_output') {
      t.match(served.content, /[A-Z]/, 'the client got the altered text')
      t.equal(served.content, served.content?.toUpperCase(), 'all of it upper-cased')
    }

    t.equal(served.status, 200, 'the client still gets its answer: only payment is refused')
    t.equal(served.standing, 0.5, 'and the node\'s standing with the scheduler is halved')
    t.ok(served.content !== undefined && served.content.length > 0, 'with the text relayed')

    const refusal = await refusalOf(requestId)
    t.same(refusal.route.settlement, { status: 'refused', reason },
      `GET /v1/receipts shows the receipt refused for ${reason}`)
    t.equal(refusal.route.batch, null, 'in no batch')
    t.same(refusal.receipt, { status: 'refused', reason, batch_id: null },
      'settlement_receipts holds it refused, outside any batch')

    const debits = refusal.entries.filter((e) => e.kind === 'debit').map((e) => BigInt(e.amount))
    const refunds = refusal.entries.filter((e) => e.kind === 'refund')
      .map((e) => BigInt(e.amount))
    t.equal(debits.length, 1, 'the ledger debited the request once')
    t.ok((debits[0] ?? 0n) > 0n, 'for a positive amount')
    t.same(refunds, debits, 'and refunded exactly that debit')

    const earned = await devnet.chain.publicClient.readContract({
      address: devnet.chain.contracts.credits, abi: creditsAbi, functionName: 'earningsOf',
      args: [node.operator]
    })
    t.equal(earned, 0n, 'the operator earned nothing on chain')
    const pending = readDb<{ request_id: string }>(stateDir,
      'SELECT request_id FROM settlement_receipts WHERE status = \'pending\'')
    t.same(pending, [], 'no receipt waits that a forced settlement could pay')
    const batches = readDb<{ plan: string }>(stateDir, 'SELECT plan FROM settlement_batches')
    t.notOk(batches.some((b) => b.plan.toLowerCase().includes(node.operator.toLowerCase())),
      'no settlement batch credits the operator')
  })
}
