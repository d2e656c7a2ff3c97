import t from 'tap'
import { type Hex, type PrivateKeyAccount, parseEther } from 'viem'
import {
  COORDINATOR_ROLE,
  creditsAbi,
  signWithdrawalApproval,
  withdrawalApprovalTypedData,
} from '../src/index.ts'
import { isolateEach, reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'
import { deployFixture, use } from './helpers/fixture.ts'

const PORT = 8606
const DELAY = 3_600n

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain, { withdrawalDelay: DELAY })
const { credits, prlx, users, operators, coordinator, stranger } = fx
const [alice, bob] = users
const [op1] = operators
await fx.register(op1, 'peer-op1')
await fx.fund(alice, parseEther('10'))
await fx.authorize(alice, { cap: parseEther('100') })
await isolateEach(t, chain)

/** A co-signature by `signer` for `user` to withdraw `amount` with its current nonce. */
async function approval(
  amount: bigint,
  { signer = coordinator, user = alice, deadline }: {
    signer?: PrivateKeyAccount
    user?: PrivateKeyAccount
    deadline?: bigint
  } = {},
): Promise<{ deadline: bigint; signature: Hex }> {
  const message = {
    user: user.address,
    amount,
    nonce: await credits.read.withdrawalNonce([user.address]),
    deadline: deadline ?? (await chain.now()) + 300n,
  }
  const signature = await signer.signTypedData(withdrawalApprovalTypedData(fx.domain, message))
  return { deadline: message.deadline, signature }
}

const withdraw = (amount: bigint, a: { deadline: bigint; signature: Hex }, signer = coordinator) =>
  credits.write.withdraw([amount, a.deadline, signer.address, a.signature], { account: alice })

t.test('pays an instant withdrawal co-signed by the coordinator', async (t) => {
  const before = await prlx.read.balanceOf([alice.address])
  const a = await approval(parseEther('4'))

  const receipt = await chain.mined(withdraw(parseEther('4'), a))

  t.same(eventsOf(creditsAbi, receipt, 'Withdrawn')[0]?.args, {
    user: alice.address,
    coordinator: coordinator.address,
    amount: parseEther('4'),
    nonce: 0n,
  })
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('6'))
  t.equal(await prlx.read.balanceOf([alice.address]), before + parseEther('4'))
  t.equal(await credits.read.withdrawalNonce([alice.address]), 1n)
})

t.test('accepts a co-signature made with the exported wallet helper', async (t) => {
  const wallet = chain.wallets[1]!
  const deadline = (await chain.now()) + 300n
  const message = { user: alice.address, amount: 1n, nonce: 0n, deadline }

  const signature = await signWithdrawalApproval(wallet, fx.domain, message)
  await chain.mined(withdraw(1n, { deadline, signature }))

  t.equal(await credits.read.balanceOf([alice.address]), parseEther('10') - 1n)
})

t.test('refuses to replay a co-signature', async (t) => {
  const a = await approval(parseEther('1'))
  await chain.mined(withdraw(parseEther('1'), a))

  const err = await reverted(withdraw(parseEther('1'), a))

  t.same(err, { name: 'Credits_InvalidSignature', args: [] })
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('9'))
})

t.test('refuses a zero, expired, foreign or mismatched instant withdrawal', async (t) => {
  const past = (await chain.now()) - 1n
  const expired = await approval(1n, { deadline: past })
  const byStranger = await approval(1n, { signer: stranger })
  const forBob = await approval(1n, { user: bob })
  const small = await approval(1n)

  t.same(await reverted(withdraw(0n, small)), { name: 'Credits_ZeroAmount', args: [] })
  t.same(await reverted(withdraw(1n, expired)), {
    name: 'Credits_SignatureExpired',
    args: [past],
  })
  t.same(await reverted(withdraw(1n, byStranger, stranger)), {
    name: 'Credits_NotCoordinator',
    args: [stranger.address],
  })
  t.same(await reverted(withdraw(1n, forBob)), { name: 'Credits_InvalidSignature', args: [] })
  t.same(await reverted(withdraw(2n, small)), { name: 'Credits_InvalidSignature', args: [] })
})

t.test('refuses an instant withdrawal above the balance', async (t) => {
  const a = await approval(parseEther('11'))

  const err = await reverted(withdraw(parseEther('11'), a))

  t.same(err, {
    name: 'Credits_InsufficientBalance',
    args: [alice.address, parseEther('10'), parseEther('11')],
  })
})

t.test('pays a delayed withdrawal after the delay without any co-signature', async (t) => {
  const before = await prlx.read.balanceOf([alice.address])

  const request = await chain.mined(
    credits.write.requestWithdrawal([parseEther('6')], { account: alice }),
  )
  const readyAt = (await chain.now()) + DELAY
  t.same(eventsOf(creditsAbi, request, 'WithdrawalRequested')[0]?.args, {
    user: alice.address,
    amount: parseEther('6'),
    readyAt,
  })
  t.same(await credits.read.pendingWithdrawal([alice.address]), [parseEther('6'), readyAt])
  t.same(await reverted(credits.write.executeWithdrawal({ account: alice })), {
    name: 'Credits_WithdrawalNotReady',
    args: [readyAt],
  })

  await chain.increaseTime(DELAY)
  const executed = await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.same(eventsOf(creditsAbi, executed, 'WithdrawalExecuted')[0]?.args, {
    user: alice.address,
    requested: parseEther('6'),
    paid: parseEther('6'),
  })
  t.equal(await prlx.read.balanceOf([alice.address]), before + parseEther('6'))
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('4'))
  t.same(await credits.read.pendingWithdrawal([alice.address]), [0n, 0n])
})

t.test('a delayed withdrawal cannot outrun settlement of spending before it', async (t) => {
  await chain.mined(credits.write.requestWithdrawal([parseEther('10')], { account: alice }))

  // The coordinator sees the request and settles what alice consumed before it.
  await fx.settle([use(alice, op1, parseEther('6'))])
  await chain.increaseTime(DELAY)
  const executed = await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.same(eventsOf(creditsAbi, executed, 'WithdrawalExecuted')[0]?.args, {
    user: alice.address,
    requested: parseEther('10'),
    paid: parseEther('4'),
  })
  t.equal(await credits.read.balanceOf([alice.address]), 0n)
  t.equal(await credits.read.earningsOf([op1.address]), parseEther('5.1'))
  t.equal(await prlx.read.balanceOf([credits.address]), parseEther('6'))
})

t.test('pays nothing when settlement consumed the whole balance', async (t) => {
  await chain.mined(credits.write.requestWithdrawal([parseEther('10')], { account: alice }))
  await fx.settle([use(alice, op1, parseEther('10'))])
  await chain.increaseTime(DELAY)
  const before = await prlx.read.balanceOf([alice.address])

  const executed = await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.same(eventsOf(creditsAbi, executed, 'WithdrawalExecuted')[0]?.args, {
    user: alice.address,
    requested: parseEther('10'),
    paid: 0n,
  })
  t.equal(await prlx.read.balanceOf([alice.address]), before)
})

t.test('gets funds out when the coordinator vanished', async (t) => {
  await chain.mined(credits.write.revokeRole([COORDINATOR_ROLE, coordinator.address]))
  const a = await approval(1n)
  t.same(await reverted(withdraw(1n, a)), {
    name: 'Credits_NotCoordinator',
    args: [coordinator.address],
  })

  await chain.mined(credits.write.requestWithdrawal([parseEther('10')], { account: alice }))
  await chain.increaseTime(DELAY)
  await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.equal(await credits.read.balanceOf([alice.address]), 0n)
  t.equal(await prlx.read.balanceOf([alice.address]), parseEther('10'))
})

t.test('a pause never traps deposits', async (t) => {
  await chain.mined(credits.write.pause())

  await chain.mined(withdraw(parseEther('1'), await approval(parseEther('1'))))
  await chain.mined(credits.write.requestWithdrawal([parseEther('9')], { account: alice }))
  await chain.increaseTime(DELAY)
  await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.equal(await prlx.read.balanceOf([alice.address]), parseEther('10'))
})

t.test('keeps the delay a request was made with', async (t) => {
  await chain.mined(credits.write.requestWithdrawal([parseEther('1')], { account: alice }))
  await chain.mined(credits.write.setWithdrawalDelay([30n * 86_400n]))

  await chain.increaseTime(DELAY)
  await chain.mined(credits.write.executeWithdrawal({ account: alice }))

  t.equal(await credits.read.balanceOf([alice.address]), parseEther('9'))
})

t.test('a new request replaces the pending one and restarts the delay', async (t) => {
  await chain.mined(credits.write.requestWithdrawal([parseEther('1')], { account: alice }))
  await chain.increaseTime(DELAY - 10n)

  await chain.mined(credits.write.requestWithdrawal([parseEther('2')], { account: alice }))
  const readyAt = (await chain.now()) + DELAY

  t.same(await credits.read.pendingWithdrawal([alice.address]), [parseEther('2'), readyAt])
  await chain.increaseTime(20)
  t.same(await reverted(credits.write.executeWithdrawal({ account: alice })), {
    name: 'Credits_WithdrawalNotReady',
    args: [readyAt],
  })
})

t.test('cancels a pending withdrawal', async (t) => {
  await chain.mined(credits.write.requestWithdrawal([parseEther('3')], { account: alice }))

  const receipt = await chain.mined(credits.write.cancelWithdrawal({ account: alice }))

  t.same(eventsOf(creditsAbi, receipt, 'WithdrawalCancelled')[0]?.args, {
    user: alice.address,
    amount: parseEther('3'),
  })
  t.same(await credits.read.pendingWithdrawal([alice.address]), [0n, 0n])
  t.same(await reverted(credits.write.cancelWithdrawal({ account: alice })), {
    name: 'Credits_NoPendingWithdrawal',
    args: [alice.address],
  })
  t.same(await reverted(credits.write.executeWithdrawal({ account: alice })), {
    name: 'Credits_NoPendingWithdrawal',
    args: [alice.address],
  })
})

t.test('refuses a zero request or one above the balance', async (t) => {
  const zero = await reverted(credits.write.requestWithdrawal([0n], { account: alice }))
  const tooMuch = await reverted(
    credits.write.requestWithdrawal([parseEther('11')], { account: alice }),
  )

  t.same(zero, { name: 'Credits_ZeroAmount', args: [] })
  t.same(tooMuch, {
    name: 'Credits_InsufficientBalance',
    args: [alice.address, parseEther('10'), parseEther('11')],
  })
})
