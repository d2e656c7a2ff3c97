import t from 'tap'
import { keccak256, stringToBytes, type Address, type Hex } from 'viem'
import type { FinalFrame } from '@parallelix/protocol'
import { closeSegment, finish, type Progress } from '../src/completion.ts'
import { auditLedger } from '../src/ledger/audit.ts'
import { Metering } from '../src/ledger/metering.ts'
import { RequestMeter } from '../src/ledger/request-meter.ts'
import { SpotCheckStore } from '../src/poe/spot-check-store.ts'
import { ReceiptCollector } from '../src/settlement/receipt-collector.ts'
import { SettlementStore } from '../src/settlement/store.ts'
import { ALICE, ledgerFixture, type LedgerFixture } from './helpers/ledger-fixture.ts'

const RATE = 10n
const MODEL = 'stories'
const OP1 = '0x0000000000000000000000000000000000000001' as Address
const OP2 = '0x0000000000000000000000000000000000000002' as Address
const REQUEST = {
  model: MODEL,
  messages: [{ role: 'user' as const, content: 'Once upon a time' }],
  params: { maxTokens: 40, temperature: 0, topP: 1, stop: [] }
}

let fx: LedgerFixture
let store: SettlementStore
let spot: SpotCheckStore
let collector: ReceiptCollector
const metering = new Metering({ rates: { [MODEL]: RATE } })

t.beforeEach(async () => {
  fx = await ledgerFixture()
  await fx.deposit(ALICE, 1_000_000n)
  await fx.authorize(ALICE, 1_000_000n)
  store = new SettlementStore(fx.db)
  spot = new SpotCheckStore(fx.db)
  collector = new ReceiptCollector(store, undefined, {
    ledger: fx.ledger, costOf: (m, p, c) => metering.cost(m, p, c), spotChecks: spot
  })
})
t.afterEach(async () => { await fx.close() })

/** A final frame as a node signs it; the collector trusts what the dispatcher verified. */
function frame (requestId: string, node: string, operator: Address, prompt: number,
  completion: number): FinalFrame {
  const receipt = {
    requestId, model: MODEL, modelHash: keccak256(stringToBytes('model')),
    promptHash: keccak256(stringToBytes('prompt')), outputHash: keccak256(stringToBytes(node)),
    promptTokens: prompt, completionTokens: completion, node, operator,
    startedAt: 1, finishedAt: 2
  }
  return {
    type: 'final',
    finishReason: 'stop',
    usage: { promptTokens: prompt, completionTokens: completion },
    receipt, hash: keccak256(stringToBytes(`${requestId}:${node}`)), signature: '0x' as Hex
  }
}

/** Delivers `tokens` tokens from one node, then closes its segment. */
function segment (p: Progress, tokens: number, node: string, operator: Address, id: string,
  final?: FinalFrame, refused?: string): void {
  const before = p.tokens
  p.tokens += tokens
  p.text += 'x'.repeat(tokens)
  closeSegment(p, final, node, operator, id, before, refused)
}

async function meter (id: string, build: (p: Progress) => void): Promise<bigint> {
  const m = await RequestMeter.open(metering, REQUEST, id, {
    ledger: fx.ledger, account: ALICE, apiKeyId: null
  })
  const progress: Progress = { text: '', tokens: 0, segments: [] }
  build(progress)
  return m.complete(finish(id, progress, 'stop'))
}

/** One node's whole answer of `tokens` tokens to a 20-token prompt, signed by OP1. */
async function meterOne (id: string, tokens: number): Promise<bigint> {
  return meter(id, (p) => { segment(p, tokens, 'n1', OP1, id, frame(id, 'n1', OP1, 20, tokens)) })
}

/** Chooses request `id` of node n1 for a spot check, as the dispatcher's hook would. */
function schedule (id: string): void {
  spot.schedule({ requestId: id, node: 'n1', operator: OP1, model: MODEL, modelHash: '0x1',
    receiptHash: '0x2', outputHash: '0x3', request: REQUEST, createdAt: Date.now() })
}

function rows () {
  return store.withStatus('pending').concat(store.withStatus('refused'),
    store.withStatus('held'), store.withStatus('withheld'))
    .map((r) => ({ id: r.requestId, parent: r.parentId, operator: r.operator, cost: r.cost,
      status: r.status, reason: r.reason }))
    .sort((a, b) => a.id.localeCompare(b.id))
}

t.test('settles a failed-over request per segment, each operator for its own tokens', async (t) => {
  const charged = await meter('req', (p) => {
    segment(p, 5, 'n1', OP1, 'req', frame('req', 'n1', OP1, 20, 5))
    segment(p, 7, 'n2', OP2, 'req-r1', frame('req-r1', 'n2', OP2, 25, 7))
  })
  t.equal(charged, RATE * (20n + 12n), 'the user pays its prompt once and every token')
  t.equal(await collector.collect(), 2, 'two receipts collected')
  t.same(rows(), [
    { id: 'req', parent: 'req', operator: OP1, cost: RATE * 25n, status: 'pending', reason: null },
    { id: 'req-r1', parent: 'req', operator: OP2, cost: RATE * 7n, status: 'pending', reason: null }
  ], 'the first node is paid the prompt and its 5 tokens, the second its 7')
  t.equal(fx.ledger.snapshot(ALICE).spent, charged, 'nothing is refunded')
  t.same(auditLedger(fx.db), [], 'the balances equal the entries')
})

t.test('refunds what a node delivered without a receipt', async (t) => {
  const charged = await meter('lost', (p) => {
    segment(p, 5, 'n1', OP1, 'lost')
    segment(p, 7, 'n2', OP2, 'lost-r1', frame('lost-r1', 'n2', OP2, 25, 7))
  })
  t.equal(charged, RATE * (20n + 12n), 'the user was charged for all it received')
  await collector.collect()
  t.same(rows(), [{ id: 'lost-r1', parent: 'lost', operator: OP2, cost: RATE * 27n,
    status: 'pending', reason: null }], 'the signing node is paid the prompt and its tokens')
  t.equal(fx.ledger.snapshot(ALICE).spent, RATE * 27n, 'the 5 unsigned tokens are refunded')
  const refunds = fx.db.prepare(`SELECT amount FROM ledger_entries WHERE kind = 'refund'
    AND ref = 'lost'`).pluck().all()
  t.same(refunds, [(RATE * 5n).toString()], 'in one refund entry')
  t.same(auditLedger(fx.db), [], 'the balances equal the entries')
})

t.test('refunds a receipt the dispatcher refused, and stores why', async (t) => {
  await meter('bad', (p) => {
    segment(p, 6, 'n1', OP1, 'bad', frame('bad', 'n1', OP1, 20, 9), 'token_count_mismatch')
  })
  await collector.collect()
  t.same(rows(), [{ id: 'bad', parent: 'bad', operator: OP1, cost: 0n, status: 'refused',
    reason: 'token_count_mismatch' }], 'it is refused with the reason, worth nothing')
  t.equal(fx.ledger.snapshot(ALICE).spent, 0n, 'the whole charge is refunded')
  t.equal(await collector.collect(), 0, 'a second pass takes nothing again')
  t.equal(fx.ledger.snapshot(ALICE).spent, 0n, 'and refunds nothing twice')
})

t.test('holds a receipt under a spot check, then withholds its node\'s receipts', async (t) => {
  schedule('checked')
  await meterOne('checked', 4)
  await meterOne('other', 4)
  await collector.collect()
  t.same(rows().map((r) => [r.id, r.status]), [['checked', 'held'], ['other', 'pending']],
    'the checked receipt waits for its verdict')

  spot.decide('checked', 'failed', [], '0xabc', Date.now())
  await collector.collect()
  t.same(rows().map((r) => [r.id, r.status, r.reason]), [
    ['checked', 'withheld', 'spot_check_failed'], ['other', 'withheld', 'spot_check_failed']
  ], 'every unbatched receipt of the caught node is withheld')
  t.equal(fx.ledger.snapshot(ALICE).spent, 0n, 'and its charges refunded')

  await meterOne('later', 4)
  await collector.collect()
  t.same(rows().find((r) => r.id === 'later')?.status, 'withheld',
    'so are receipts it signs afterwards')
  t.equal(fx.ledger.snapshot(ALICE).spent, 0n, 'refunded as they are collected')
  t.same(auditLedger(fx.db), [], 'the balances equal the entries')
})

t.test('releases a held receipt once its check passes', async (t) => {
  schedule('ok')
  await meterOne('ok', 3)
  await collector.collect()
  t.equal(rows()[0]?.status, 'held', 'held while the check runs')
  spot.decide('ok', 'passed', [], null, Date.now())
  await collector.collect()
  t.same(rows().map((r) => [r.status, r.cost]), [['pending', RATE * 23n]],
    'pending for the next batch, at its full cost')
})
