import t from 'tap'
import { keccak256, parseEther, toBytes } from 'viem'
import {
  COORDINATOR_ROLE,
  creditsAbi,
  signSpendingAuthorization,
  spendingAuthorizationTypedData,
  spendingAuthorizationTypes,
  verifySpendingAuthorization,
  withdrawalApprovalTypes,
} from '../src/index.ts'
import { isolateEach, reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'
import { deployFixture, use } from './helpers/fixture.ts'

const PORT = 8605

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain)
const { credits, users, operators, coordinator, stranger } = fx
const [alice, bob] = users
const [op1] = operators
await fx.register(op1, 'peer-op1')
await fx.fund(alice, parseEther('10'))
await isolateEach(t, chain)

const submit = (
  message: Awaited<ReturnType<typeof fx.signAuthorization>>['message'],
  signature: `0x${string}`,
) =>
  credits.write.authorize(
    [message.user, message.coordinator, message.cap, message.expiry, message.nonce, signature],
    { account: stranger },
  )

t.test('installs an authorization the user signed, submitted by anyone', async (t) => {
  const { message, signature } = await fx.signAuthorization(alice, { cap: parseEther('5') })

  const receipt = await chain.mined(submit(message, signature))

  t.same(eventsOf(creditsAbi, receipt, 'AuthorizationGranted')[0]?.args, {
    user: alice.address,
    coordinator: coordinator.address,
    cap: parseEther('5'),
    expiry: message.expiry,
    nonce: 0n,
  })
  t.same(await credits.read.authorizationOf([alice.address, coordinator.address]), [
    parseEther('5'),
    0n,
    message.expiry,
  ])
  t.equal(await credits.read.authorizationNonce([alice.address]), 1n)
})

t.test('accepts a signature made with the exported wallet helper', async (t) => {
  const wallet = chain.wallets[2]!
  const message = {
    user: alice.address,
    coordinator: coordinator.address,
    cap: 7n,
    expiry: (await chain.now()) + 100n,
    nonce: 0n,
  }

  const signature = await signSpendingAuthorization(wallet, fx.domain, message)

  t.equal(await verifySpendingAuthorization(fx.domain, message, signature), true)
  t.equal(await verifySpendingAuthorization(fx.domain, { ...message, cap: 8n }, signature), false)
  await chain.mined(submit(message, signature))
  t.same(await credits.read.authorizationOf([alice.address, coordinator.address]), [
    7n,
    0n,
    message.expiry,
  ])
})

t.test('refuses an authorization for an account without the coordinator role', async (t) => {
  const { message, signature } = await fx.signAuthorization(alice, {
    cap: 1n,
    coordinator: stranger.address,
  })

  const err = await reverted(submit(message, signature))

  t.same(err, { name: 'Credits_NotCoordinator', args: [stranger.address] })
})

t.test('refuses an authorization already past its expiry', async (t) => {
  const expiry = (await chain.now()) - 1n
  const { message, signature } = await fx.signAuthorization(alice, { cap: 1n, expiry })

  const err = await reverted(submit(message, signature))

  t.same(err, { name: 'Credits_AuthorizationExpired', args: [alice.address, expiry] })
})

t.test('refuses a wrong nonce and a replayed authorization', async (t) => {
  const ahead = await fx.signAuthorization(alice, { cap: 1n, nonce: 1n })
  const aheadErr = await reverted(submit(ahead.message, ahead.signature))
  const first = await fx.signAuthorization(alice, { cap: 1n })
  await chain.mined(submit(first.message, first.signature))

  const replay = await reverted(submit(first.message, first.signature))

  t.same(aheadErr, { name: 'Credits_InvalidNonce', args: [alice.address, 0n, 1n] })
  t.same(replay, { name: 'Credits_InvalidNonce', args: [alice.address, 1n, 0n] })
})

t.test('refuses a signature by anyone but the user, or over other terms', async (t) => {
  const { message } = await fx.signAuthorization(alice, { cap: 1n })
  const forged = await bob.signTypedData(spendingAuthorizationTypedData(fx.domain, message))
  const genuine = await alice.signTypedData(spendingAuthorizationTypedData(fx.domain, message))

  const byBob = await reverted(submit(message, forged))
  const raised = await reverted(submit({ ...message, cap: parseEther('1000') }, genuine))

  t.same(byBob, { name: 'Credits_InvalidSignature', args: [] })
  t.same(raised, { name: 'Credits_InvalidSignature', args: [] })
})

t.test('stores an oversized cap and expiry clamped', async (t) => {
  const cap = 2n ** 200n
  const expiry = 2n ** 60n
  const { message, signature } = await fx.signAuthorization(alice, { cap, expiry })

  await chain.mined(submit(message, signature))

  t.same(await credits.read.authorizationOf([alice.address, coordinator.address]), [
    2n ** 96n - 1n,
    0n,
    2n ** 40n - 1n,
  ])
})

t.test('never lets settlement exceed the signed cap in total', async (t) => {
  await fx.authorize(alice, { cap: parseEther('5') })

  await fx.settle([use(alice, op1, parseEther('3'))])
  const over = await reverted(fx.settle([use(alice, op1, parseEther('3'))]))
  await fx.settle([use(alice, op1, parseEther('2'))])
  const exhausted = await reverted(fx.settle([use(alice, op1, 1n)]))

  t.same(over, {
    name: 'Credits_CapExceeded',
    args: [alice.address, parseEther('2'), parseEther('3')],
  })
  t.same(exhausted, { name: 'Credits_CapExceeded', args: [alice.address, 0n, 1n] })
  t.same(await credits.read.authorizationOf([alice.address, coordinator.address]), [
    parseEther('5'),
    parseEther('5'),
    (await credits.read.authorizationOf([alice.address, coordinator.address]))[2],
  ])
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('5'))
})

t.test('counts repeated debits of one user in one batch against the cap', async (t) => {
  await fx.authorize(alice, { cap: parseEther('5') })
  const b = await fx.batch([use(alice, op1, parseEther('4'))])
  const debits = [
    { user: alice.address, amount: parseEther('3') },
    { user: alice.address, amount: parseEther('3') },
  ]
  const credits6 = [{ operator: op1.address, amount: parseEther('5.1') }]

  const err = await reverted(
    credits.write.settle([b.batchId, b.root, 2n, debits, credits6], { account: coordinator }),
  )

  t.same(err, {
    name: 'Credits_CapExceeded',
    args: [alice.address, parseEther('2'), parseEther('3')],
  })
})

t.test('refuses settlement under an expired authorization', async (t) => {
  const expiry = (await chain.now()) + 100n
  await fx.authorize(alice, { cap: parseEther('5'), expiry })
  await chain.increaseTime(101)

  const err = await reverted(fx.settle([use(alice, op1, 1n)]))

  t.same(err, { name: 'Credits_AuthorizationExpired', args: [alice.address, expiry] })
})

t.test('refuses settlement for a user who never authorized the coordinator', async (t) => {
  const err = await reverted(fx.settle([use(alice, op1, 1n)]))

  t.same(err, { name: 'Credits_NoAuthorization', args: [alice.address, coordinator.address] })
})

t.test('revocation takes effect at once and voids unsubmitted signatures', async (t) => {
  await fx.authorize(alice, { cap: parseEther('5') })
  const pending = await fx.signAuthorization(alice, { cap: parseEther('9') })

  const receipt = await chain.mined(
    credits.write.revokeAuthorization([coordinator.address], { account: alice }),
  )

  t.same(eventsOf(creditsAbi, receipt, 'AuthorizationRevoked')[0]?.args, {
    user: alice.address,
    coordinator: coordinator.address,
    nextNonce: 2n,
  })
  t.same(await credits.read.authorizationOf([alice.address, coordinator.address]), [0n, 0n, 0n])
  t.same(await reverted(fx.settle([use(alice, op1, 1n)])), {
    name: 'Credits_NoAuthorization',
    args: [alice.address, coordinator.address],
  })
  t.same(await reverted(submit(pending.message, pending.signature)), {
    name: 'Credits_InvalidNonce',
    args: [alice.address, 2n, 1n],
  })
})

t.test('a newer authorization replaces the previous one and restarts its count', async (t) => {
  await fx.authorize(alice, { cap: parseEther('2') })
  await fx.settle([use(alice, op1, parseEther('2'))])

  await fx.authorize(alice, { cap: parseEther('3') })
  await fx.settle([use(alice, op1, parseEther('3'))])

  const [cap, spent] = await credits.read.authorizationOf([alice.address, coordinator.address])
  t.same([cap, spent], [parseEther('3'), parseEther('3')])
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('5'))
})

t.test('an authorization binds one coordinator only', async (t) => {
  const other = chain.accounts[11]!
  await chain.mined(credits.write.grantRole([COORDINATOR_ROLE, other.address]))
  await fx.authorize(alice, { cap: parseEther('5') })

  const err = await reverted(fx.settle([use(alice, op1, 1n)], other))

  t.same(err, { name: 'Credits_NoAuthorization', args: [alice.address, other.address] })
})

t.test('hashes the same EIP-712 types the TypeScript helpers sign', async (t) => {
  const encode = (name: string, fields: readonly { name: string; type: string }[]) =>
    keccak256(toBytes(`${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`))

  t.equal(
    await credits.read.SPENDING_AUTHORIZATION_TYPEHASH(),
    encode('SpendingAuthorization', spendingAuthorizationTypes.SpendingAuthorization),
  )
  t.equal(
    await credits.read.WITHDRAWAL_APPROVAL_TYPEHASH(),
    encode('WithdrawalApproval', withdrawalApprovalTypes.WithdrawalApproval),
  )
})

t.test('pausing stops new authorizations', async (t) => {
  const { message, signature } = await fx.signAuthorization(alice, { cap: 1n })
  await chain.mined(credits.write.pause())

  const err = await reverted(submit(message, signature))

  t.same(err, { name: 'EnforcedPause', args: [] })
})
