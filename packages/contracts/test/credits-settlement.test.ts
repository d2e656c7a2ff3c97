import t from 'tap'
import { keccak256, parseEther, toHex, zeroAddress, zeroHash } from 'viem'
import { COORDINATOR_ROLE, creditsAbi, TREASURY_ROLE } from '../src/index.ts'
import { isolateEach, reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'
import { deployFixture, use } from './helpers/fixture.ts'

const PORT = 8607

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain, { unbondingDelay: 100n })
const { credits, prlx, registry, users, operators, coordinator, stranger } = fx
const [alice, bob] = users
const [op1, op2, op3, op4] = operators
await fx.register(op1, 'peer-op1')
await fx.register(op2, 'peer-op2')
await fx.register(op3, 'peer-op3')
for (const user of [alice, bob]) {
  await fx.fund(user, parseEther('100'))
  await fx.authorize(user, { cap: parseEther('1000') })
}
await isolateEach(t, chain)

const settleRaw = (
  batchId: `0x${string}`,
  root: `0x${string}`,
  debits: { user: `0x${string}`; amount: bigint }[],
  creditList: { operator: `0x${string}`; amount: bigint }[],
  account = coordinator,
) => credits.write.settle([batchId, root, 1n, debits, creditList], { account })

t.test('debits users, credits operators 85% and accrues the 15% fee', async (t) => {
  const entries = [
    use(alice, op1, parseEther('4')),
    use(alice, op2, parseEther('2')),
    use(bob, op1, parseEther('4')),
  ]

  const { receipt, batchId, root } = await fx.settle(entries)

  t.same(eventsOf(creditsAbi, receipt, 'Debited').map((e) => e.args), [
    { batchId, user: alice.address, amount: parseEther('6') },
    { batchId, user: bob.address, amount: parseEther('4') },
  ])
  t.same(eventsOf(creditsAbi, receipt, 'Credited').map((e) => e.args), [
    { batchId, operator: op1.address, amount: parseEther('6.8') },
    { batchId, operator: op2.address, amount: parseEther('1.7') },
  ])
  t.same(eventsOf(creditsAbi, receipt, 'BatchSettled')[0]?.args, {
    batchId,
    receiptsRoot: root,
    receiptCount: 3n,
    debited: parseEther('10'),
    fee: parseEther('1.5'),
  })
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('94'))
  t.equal(await credits.read.balanceOf([bob.address]), parseEther('96'))
  t.equal(await credits.read.earningsOf([op1.address]), parseEther('6.8'))
  t.equal(await credits.read.earningsOf([op2.address]), parseEther('1.7'))
  t.equal(await credits.read.feesAccrued(), parseEther('1.5'))
  t.equal(await credits.read.batchRoot([batchId]), root)
})

t.test('rounds operator credits down and gives the remainder to the fee', async (t) => {
  const b = await fx.batch([use(alice, op1, 7n)])
  const debits = [{ user: alice.address, amount: 7n }]

  const pay = (amount: bigint) => [{ operator: op1.address, amount }]

  const high = await reverted(settleRaw(b.batchId, b.root, debits, pay(6n)))
  await chain.mined(settleRaw(b.batchId, b.root, debits, pay(5n)))

  t.same(high, { name: 'Credits_ShareMismatch', args: [5n, 6n] })
  t.equal(await credits.read.earningsOf([op1.address]), 5n)
  t.equal(await credits.read.feesAccrued(), 2n)
})

t.test('refuses a batch id settled before', async (t) => {
  const first = await fx.settle([use(alice, op1, 100n)])
  const again = await fx.batch([use(bob, op1, 100n)])

  const err = await reverted(
    credits.write.settle(
      [first.batchId, again.root, 1n, again.plan.debits, again.plan.credits],
      { account: coordinator },
    ),
  )

  t.same(err, { name: 'Credits_BatchAlreadySettled', args: [first.batchId] })
  t.equal(await credits.read.batchRoot([first.batchId]), first.root)
})

t.test('refuses a batch without root or without debits', async (t) => {
  const id = keccak256(toHex('empty'))

  const noRoot = await reverted(settleRaw(id, zeroHash, [{ user: alice.address, amount: 1n }], []))
  const noDebits = await reverted(settleRaw(id, keccak256(toHex('root')), [], []))

  t.same(noRoot, { name: 'Credits_EmptyRoot', args: [] })
  t.same(noDebits, { name: 'Credits_EmptyBatch', args: [] })
})

t.test('refuses to pay operators anything but the configured share', async (t) => {
  const b = await fx.batch([use(alice, op1, parseEther('10'))])
  const debits = b.plan.debits
  const pay = (amount: bigint) => [{ operator: op1.address, amount }]

  const under = await reverted(settleRaw(b.batchId, b.root, debits, pay(parseEther('8.5') - 1n)))
  const over = await reverted(settleRaw(b.batchId, b.root, debits, pay(parseEther('8.5') + 1n)))
  const all = await reverted(settleRaw(b.batchId, b.root, debits, pay(parseEther('10'))))
  const split = [
    { operator: op1.address, amount: parseEther('5') },
    { operator: op2.address, amount: parseEther('5') },
  ]
  const splitAll = await reverted(settleRaw(b.batchId, b.root, debits, split))

  const mismatch = (credited: bigint) => ({
    name: 'Credits_ShareMismatch',
    args: [parseEther('8.5'), credited],
  })
  t.same(under, mismatch(parseEther('8.5') - 1n))
  t.same(over, mismatch(parseEther('8.5') + 1n))
  t.same(all, mismatch(parseEther('10')))
  t.same(splitAll, mismatch(parseEther('10')))
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('100'))
})

t.test('applies the share the admin configured', async (t) => {
  await chain.mined(credits.write.setShareBps([9_000n]))
  const b = await fx.batch([use(alice, op1, parseEther('10'))])
  const debits = b.plan.debits

  const old = await reverted(
    settleRaw(b.batchId, b.root, debits, [{ operator: op1.address, amount: parseEther('8.5') }]),
  )
  await chain.mined(
    settleRaw(b.batchId, b.root, debits, [{ operator: op1.address, amount: parseEther('9') }]),
  )

  t.same(old, { name: 'Credits_ShareMismatch', args: [parseEther('9'), parseEther('8.5')] })
  t.equal(await credits.read.earningsOf([op1.address]), parseEther('9'))
  t.equal(await credits.read.feesAccrued(), parseEther('1'))
})

t.test('credits registered operators only, unbonding ones included', async (t) => {
  const unknown = await reverted(fx.settle([use(alice, op4, parseEther('1'))]))
  await chain.mined(registry.write.requestLeave({ account: op3 }))
  await fx.settle([use(alice, op3, parseEther('1'))])
  await chain.increaseTime(100)
  await chain.mined(registry.write.withdrawStake({ account: op3 }))
  const left = await reverted(fx.settle([use(alice, op3, parseEther('1'))]))

  t.same(unknown, { name: 'Credits_UnknownOperator', args: [op4.address] })
  t.same(left, { name: 'Credits_UnknownOperator', args: [op3.address] })
  t.equal(await credits.read.earningsOf([op3.address]), parseEther('0.85'))
})

t.test('refuses a debit above the user balance and changes nothing', async (t) => {
  const b = await fx.batch([use(bob, op1, parseEther('1')), use(alice, op1, parseEther('101'))])

  const err = await reverted(
    credits.write.settle([b.batchId, b.root, 2n, b.plan.debits, b.plan.credits], {
      account: coordinator,
    }),
  )

  t.same(err, {
    name: 'Credits_InsufficientBalance',
    args: [alice.address, parseEther('100'), parseEther('101')],
  })
  t.equal(await credits.read.balanceOf([bob.address]), parseEther('100'))
  t.equal(await credits.read.batchRoot([b.batchId]), zeroHash)
})

t.test('only a coordinator settles, and not while paused', async (t) => {
  const b = await fx.batch([use(alice, op1, 100n)])
  const args = [b.batchId, b.root, 1n, b.plan.debits, b.plan.credits] as const

  const byStranger = await reverted(credits.write.settle(args, { account: stranger }))
  await chain.mined(credits.write.pause())
  const paused = await reverted(credits.write.settle(args, { account: coordinator }))

  t.same(byStranger, {
    name: 'AccessControlUnauthorizedAccount',
    args: [stranger.address, COORDINATOR_ROLE],
  })
  t.same(paused, { name: 'EnforcedPause', args: [] })
})

t.test('operators pull their earnings, and earn again after claiming', async (t) => {
  await fx.settle([use(alice, op1, parseEther('2'))])

  const receipt = await chain.mined(credits.write.claimEarnings([op4.address], { account: op1 }))

  t.same(eventsOf(creditsAbi, receipt, 'EarningsClaimed')[0]?.args, {
    operator: op1.address,
    to: op4.address,
    amount: parseEther('1.7'),
  })
  t.equal(await prlx.read.balanceOf([op4.address]), parseEther('1.7'))
  t.equal(await credits.read.earningsOf([op1.address]), 0n)
  t.same(await reverted(credits.write.claimEarnings([op1.address], { account: op1 })), {
    name: 'Credits_NothingToClaim',
    args: [],
  })
  t.same(await reverted(credits.write.claimEarnings([zeroAddress], { account: op1 })), {
    name: 'Credits_ZeroAddress',
    args: [],
  })
  await fx.settle([use(alice, op1, parseEther('1'))])
  t.equal(await credits.read.earningsOf([op1.address]), parseEther('0.85'))
  t.equal(await credits.read.totalEarned([op1.address]), parseEther('2.55'))
})

t.test('the treasury pulls the accrued fee', async (t) => {
  await fx.settle([use(alice, op1, parseEther('2'))])

  const receipt = await chain.mined(credits.write.claimFees([op4.address]))

  t.same(eventsOf(creditsAbi, receipt, 'FeesClaimed')[0]?.args, {
    to: op4.address,
    amount: parseEther('0.3'),
  })
  t.equal(await prlx.read.balanceOf([op4.address]), parseEther('0.3'))
  t.equal(await credits.read.feesAccrued(), 0n)
  t.same(await reverted(credits.write.claimFees([op4.address])), {
    name: 'Credits_NothingToClaim',
    args: [],
  })
  t.same(await reverted(credits.write.claimFees([zeroAddress])), {
    name: 'Credits_ZeroAddress',
    args: [],
  })
  t.same(await reverted(credits.write.claimFees([stranger.address], { account: stranger })), {
    name: 'AccessControlUnauthorizedAccount',
    args: [stranger.address, TREASURY_ROLE],
  })
})
