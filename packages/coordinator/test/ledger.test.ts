import t from 'tap'
import { auditLedger } from '../src/ledger/audit.ts'
import { InsufficientCreditError, WithdrawalRefusedError } from '../src/ledger/errors.ts'
import { applyVaultEvents } from '../src/ledger/vault-events.ts'
import { WithdrawalHolds } from '../src/ledger/withdrawal-holds.ts'
import { ALICE, BOB, COORDINATOR, ledgerFixture } from './helpers/ledger-fixture.ts'

const reserve = (requestId: string, amount: bigint, account: string = ALICE) =>
  ({ account, requestId, apiKeyId: 'key_test', model: 'stories260K', amount })

const outcome = (requestId: string, cost: bigint) => ({
  requestId, status: 'completed' as const, cost, promptTokens: 7, completionTokens: 8
})

t.test('reserves the maximum cost, then debits what was used and releases the rest',
  async (t) => {
    const f = await ledgerFixture()
    t.teardown(f.close)
    await f.deposit(ALICE, 1_000n)
    await f.authorize(ALICE, 1_000n)

    await f.ledger.reserve(reserve('r1', 300n))
    t.same(f.ledger.snapshot(ALICE),
      { balance: 1_000n, reserved: 300n, held: 0n, unsettled: 0n, spent: 0n, settled: 0n,
        available: 700n })

    t.equal(await f.ledger.settle(outcome('r1', 120n)), 120n)
    t.same(f.ledger.snapshot(ALICE),
      { balance: 1_000n, reserved: 0n, held: 0n, unsettled: 120n, spent: 120n, settled: 0n,
        available: 880n })
    const record = f.ledger.request(ALICE, 'r1')
    t.equal(record?.cost, 120n)
    t.equal(record?.reserved, 300n)
    t.equal(record?.apiKeyId, 'key_test')
    t.same(auditLedger(f.db), [])
  })

t.test('charges at most the reservation when the metered cost exceeds it', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  await f.deposit(ALICE, 1_000n)
  await f.authorize(ALICE, 1_000n)

  await f.ledger.reserve(reserve('r1', 100n))
  t.equal(await f.ledger.settle(outcome('r1', 150n)), 100n)
  t.equal(f.ledger.snapshot(ALICE).unsettled, 100n)
  t.same(auditLedger(f.db), [])
})

t.test('refuses a reservation the available credit cannot cover, and records nothing',
  async (t) => {
    const f = await ledgerFixture()
    t.teardown(f.close)
    await f.deposit(ALICE, 100n)
    await f.authorize(ALICE, 10_000n)

    const err = await f.ledger.reserve(reserve('r1', 101n)).catch((e: unknown) => e)
    t.ok(err instanceof InsufficientCreditError)
    t.equal((err as InsufficientCreditError).reason, 'balance')
    t.equal((err as InsufficientCreditError).code, 'insufficient_quota')
    t.equal(f.ledger.snapshot(ALICE).reserved, 0n)
    t.equal(f.db.prepare("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'reserve'")
      .pluck().get(), 0)
  })

t.test('never lets metered spending pass the spending authorization cap', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  await f.deposit(ALICE, 10_000n)
  await f.authorize(ALICE, 500n)

  await f.ledger.reserve(reserve('r1', 400n))
  await f.ledger.settle(outcome('r1', 400n))
  const err = await f.ledger.reserve(reserve('r2', 101n)).catch((e: unknown) => e)
  t.equal((err as InsufficientCreditError).reason, 'cap')
  await f.ledger.reserve(reserve('r3', 100n))
  t.equal(await f.ledger.settle(outcome('r3', 100n)), 100n)
  t.equal(f.ledger.snapshot(ALICE).spent, 500n)
})

t.test('refuses to reserve without an authorization or once it nears its expiry',
  async (t) => {
    const f = await ledgerFixture()
    t.teardown(f.close)
    await f.deposit(ALICE, 1_000n)

    const none = await f.ledger.reserve(reserve('r1', 1n)).catch((e: unknown) => e)
    t.equal((none as InsufficientCreditError).reason, 'no_authorization')
    await f.authorize(ALICE, 1_000n, BigInt(Math.floor(Date.now() / 1000) + 60))
    const expiring = await f.ledger.reserve(reserve('r2', 1n)).catch((e: unknown) => e)
    t.equal((expiring as InsufficientCreditError).reason, 'authorization_expired')
  })

t.test('a new authorization counts what was debited since, not before', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  await f.deposit(ALICE, 10_000n)
  await f.authorize(ALICE, 300n)
  await f.ledger.reserve(reserve('r1', 300n))
  await f.ledger.settle(outcome('r1', 300n))
  await f.ledger.recordSettlement(ALICE, 300n, 'batch-1')

  await f.authorize(ALICE, 300n)
  await f.ledger.reserve(reserve('r2', 300n))
  t.equal(f.ledger.authorization(ALICE)?.settledBase, 300n)
  t.equal(f.ledger.snapshot(ALICE).reserved, 300n)
})

t.test('serializes 500 concurrent reservations: the balance is never overdrawn',
  async (t) => {
    const f = await ledgerFixture()
    t.teardown(f.close)
    await f.deposit(ALICE, 20_000n)
    await f.authorize(ALICE, 1_000_000n)

    const results = await Promise.allSettled(Array.from({ length: 500 },
      (_, i) => f.ledger.reserve(reserve(`r${i}`, 1_000n))))
    const granted = results.filter((r) => r.status === 'fulfilled').length
    t.equal(granted, 20)
    t.ok(results.every((r) => r.status === 'fulfilled' ||
      r.reason instanceof InsufficientCreditError))
    t.equal(f.ledger.snapshot(ALICE).available, 0n)
    t.same(auditLedger(f.db), [])
  })

t.test('applies a chain log once however often it is seen', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  const holds = new WithdrawalHolds(f.ledger)
  const deposit = { kind: 'deposited' as const, ref: '31337:0xabc:0', user: BOB, amount: 5n }

  const first = await f.ledger.transact((b) => applyVaultEvents(b, holds, [deposit], null))
  const again = await f.ledger.transact((b) => applyVaultEvents(b, holds, [deposit], null))
  t.equal(first, 1)
  t.equal(again, 0)
  t.equal(f.ledger.snapshot(BOB).balance, 5n)
})

t.test('releases what a stopped coordinator left reserved when it starts again',
  async (t) => {
    let f = await ledgerFixture()
    t.teardown(async () => { await f.close() })
    await f.deposit(ALICE, 1_000n)
    await f.authorize(ALICE, 1_000n)
    await f.ledger.reserve(reserve('r1', 600n))

    f = await f.reopen()
    t.same(f.ledger.snapshot(ALICE),
      { balance: 1_000n, reserved: 0n, held: 0n, unsettled: 0n, spent: 0n, settled: 0n,
        available: 1_000n })
    t.same(auditLedger(f.db), [])
  })

t.test('holds a co-signed withdrawal until the chain shows it', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  const holds = new WithdrawalHolds(f.ledger)
  await f.deposit(ALICE, 1_000n)
  await f.authorize(ALICE, 1_000n)
  await f.ledger.reserve(reserve('r1', 300n))
  await f.ledger.settle(outcome('r1', 200n))

  const tooMuch = await holds.holdInstant({ account: ALICE, amount: 801n, nonce: 0n,
    deadline: 2_000_000_000, signature: '0x01' }).catch((e: unknown) => e)
  t.equal((tooMuch as WithdrawalRefusedError).code, 'withdrawal_exceeds_available')
  await holds.holdInstant({ account: ALICE, amount: 800n, nonce: 0n, deadline: 2_000_000_000,
    signature: '0x01' })
  t.equal(f.ledger.snapshot(ALICE).available, 0n)
  const second = await holds.holdInstant({ account: ALICE, amount: 1n, nonce: 0n,
    deadline: 2_000_000_000, signature: '0x02' }).catch((e: unknown) => e)
  t.equal((second as WithdrawalRefusedError).code, 'withdrawal_pending')

  await f.ledger.transact((b) => applyVaultEvents(b, holds, [{
    kind: 'withdrawn', ref: '31337:0xdef:1', user: ALICE, amount: 800n,
    coordinator: COORDINATOR, nonce: 0n
  }], COORDINATOR))
  t.same(f.ledger.snapshot(ALICE),
    { balance: 200n, reserved: 0n, held: 0n, unsettled: 200n, spent: 200n, settled: 0n,
      available: 0n })
  t.same(auditLedger(f.db), [])
})

t.test('releases a co-signed hold once a block past its deadline is applied', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  const holds = new WithdrawalHolds(f.ledger)
  await f.deposit(ALICE, 1_000n)
  await holds.holdInstant({ account: ALICE, amount: 400n, nonce: 0n, deadline: 1_000,
    signature: '0x01' })

  t.equal(await f.ledger.transact((b) => holds.releaseExpired(b, 1_000)), 0)
  t.equal(await f.ledger.transact((b) => holds.releaseExpired(b, 1_001)), 1)
  t.equal(f.ledger.snapshot(ALICE).available, 1_000n)
})

t.test('holds a requested delayed withdrawal until it is executed', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  const holds = new WithdrawalHolds(f.ledger)
  await f.deposit(ALICE, 1_000n)
  const apply = (event: Parameters<typeof applyVaultEvents>[2][number]) =>
    f.ledger.transact((b) => applyVaultEvents(b, holds, [event], COORDINATOR))

  await apply({ kind: 'withdrawal_requested', ref: 'c:0x1:0', user: ALICE, amount: 700n })
  t.equal(f.ledger.snapshot(ALICE).available, 300n)
  await apply({ kind: 'withdrawal_executed', ref: 'c:0x2:0', user: ALICE, paid: 700n })
  t.same(f.ledger.snapshot(ALICE),
    { balance: 300n, reserved: 0n, held: 0n, unsettled: 0n, spent: 0n, settled: 0n,
      available: 300n })
  t.same(auditLedger(f.db), [])
})

t.test('records a settlement batch once per account', async (t) => {
  const f = await ledgerFixture()
  t.teardown(f.close)
  await f.deposit(ALICE, 1_000n)
  await f.authorize(ALICE, 1_000n)
  await f.ledger.reserve(reserve('r1', 500n))
  await f.ledger.settle(outcome('r1', 500n))

  t.equal(await f.ledger.recordSettlement(ALICE, 500n, '0xbatch'), true)
  t.equal(await f.ledger.recordSettlement(ALICE, 500n, '0xbatch'), false)
  t.same(f.ledger.snapshot(ALICE),
    { balance: 500n, reserved: 0n, held: 0n, unsettled: 0n, spent: 500n, settled: 500n,
      available: 500n })
})
