import t from 'tap'
import { maxUint256, parseEther, zeroAddress } from 'viem'
import {
  COORDINATOR_ROLE,
  creditsAbi,
  DEFAULT_ADMIN_ROLE,
  deployCredits,
  TREASURY_ROLE,
} from '../src/index.ts'
import { isolateEach, reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'
import { deployFixture } from './helpers/fixture.ts'

const PORT = 8604

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain)
const { credits, prlx, users, stranger } = fx
const [alice, bob] = users
await isolateEach(t, chain)

t.test('credits a deposit to the depositor and holds the tokens', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))
  await chain.mined(prlx.write.approve([credits.address, maxUint256], { account: alice }))

  const receipt = await chain.mined(credits.write.deposit([parseEther('4')], { account: alice }))

  t.same(eventsOf(creditsAbi, receipt, 'Deposited')[0]?.args, {
    user: alice.address,
    amount: parseEther('4'),
  })
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('4'))
  t.equal(await prlx.read.balanceOf([alice.address]), parseEther('6'))
  t.equal(await prlx.read.balanceOf([credits.address]), parseEther('4'))
})

t.test('refuses a zero deposit and a deposit without allowance', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))

  const zero = await reverted(credits.write.deposit([0n], { account: alice }))
  const noAllowance = await reverted(credits.write.deposit([1n], { account: alice }))

  t.same(zero, { name: 'Credits_ZeroAmount', args: [] })
  t.same(noAllowance, {
    name: 'ERC20InsufficientAllowance',
    args: [credits.address, 0n, 1n],
  })
})

t.test('deposits with a permit in one transaction, submitted by anyone', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))
  const deadline = (await chain.now()) + 600n
  const { v, r, s } = await fx.signPermit(alice, parseEther('3'), deadline)

  const receipt = await chain.mined(
    credits.write.depositWithPermit([alice.address, parseEther('3'), deadline, v, r, s], {
      account: stranger,
    }),
  )

  t.same(eventsOf(creditsAbi, receipt, 'Deposited')[0]?.args, {
    user: alice.address,
    amount: parseEther('3'),
  })
  t.equal(await credits.read.balanceOf([alice.address]), parseEther('3'))
  t.equal(await credits.read.balanceOf([stranger.address]), 0n)
  t.equal(await prlx.read.balanceOf([alice.address]), parseEther('7'))
})

t.test('still deposits when the permit was front-run', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))
  const deadline = (await chain.now()) + 600n
  const { v, r, s } = await fx.signPermit(alice, parseEther('3'), deadline)
  await chain.mined(
    prlx.write.permit([alice.address, credits.address, parseEther('3'), deadline, v, r, s], {
      account: stranger,
    }),
  )

  await chain.mined(
    credits.write.depositWithPermit([alice.address, parseEther('3'), deadline, v, r, s], {
      account: alice,
    }),
  )

  t.equal(await credits.read.balanceOf([alice.address]), parseEther('3'))
})

t.test('refuses a permit deposit whose permit does not cover it', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))
  const deadline = (await chain.now()) + 600n
  const { v, r, s } = await fx.signPermit(alice, parseEther('3'), deadline)

  // A permit signed by alice cannot move bob's tokens: the signature does not match bob.
  const err = await reverted(
    credits.write.depositWithPermit([bob.address, parseEther('3'), deadline, v, r, s], {
      account: stranger,
    }),
  )

  t.same(err, { name: 'ERC20InsufficientAllowance', args: [credits.address, 0n, parseEther('3')] })
  t.equal(await credits.read.balanceOf([bob.address]), 0n)
})

t.test('pausing stops deposits until the admin unpauses', async (t) => {
  await chain.mined(prlx.write.mint([alice.address, parseEther('10')]))
  await chain.mined(prlx.write.approve([credits.address, maxUint256], { account: alice }))
  await chain.mined(credits.write.pause())

  const paused = await reverted(credits.write.deposit([1n], { account: alice }))
  const deadline = (await chain.now()) + 600n
  const { v, r, s } = await fx.signPermit(alice, 1n, deadline)
  const pausedPermit = await reverted(
    credits.write.depositWithPermit([alice.address, 1n, deadline, v, r, s], { account: alice }),
  )
  await chain.mined(credits.write.unpause())
  await chain.mined(credits.write.deposit([1n], { account: alice }))

  t.same(paused, { name: 'EnforcedPause', args: [] })
  t.same(pausedPermit, { name: 'EnforcedPause', args: [] })
  t.equal(await credits.read.balanceOf([alice.address]), 1n)
})

t.test('only the admin pauses', async (t) => {
  const err = await reverted(credits.write.pause({ account: stranger }))

  t.same(err, {
    name: 'AccessControlUnauthorizedAccount',
    args: [stranger.address, DEFAULT_ADMIN_ROLE],
  })
})

t.test('lets the admin change the share within its bounds', async (t) => {
  const receipt = await chain.mined(credits.write.setShareBps([9_000n]))

  t.same(eventsOf(creditsAbi, receipt, 'ShareUpdated')[0]?.args, {
    previousBps: 8_500n,
    currentBps: 9_000n,
  })
  t.equal(await credits.read.shareBps(), 9_000)
  await chain.mined(credits.write.setShareBps([5_000n]))
  await chain.mined(credits.write.setShareBps([10_000n]))
  t.same(await reverted(credits.write.setShareBps([4_999n])), {
    name: 'Credits_ShareOutOfBounds',
    args: [4_999n],
  })
  t.same(await reverted(credits.write.setShareBps([10_001n])), {
    name: 'Credits_ShareOutOfBounds',
    args: [10_001n],
  })
  const notAdmin = await reverted(credits.write.setShareBps([9_000n], { account: stranger }))
  t.equal(notAdmin.name, 'AccessControlUnauthorizedAccount')
})

t.test('lets the admin change the withdrawal delay up to 30 days', async (t) => {
  const receipt = await chain.mined(credits.write.setWithdrawalDelay([7_200n]))

  t.same(eventsOf(creditsAbi, receipt, 'WithdrawalDelayUpdated')[0]?.args, {
    previous: 3_600n,
    current: 7_200n,
  })
  t.equal(await credits.read.withdrawalDelay(), 7_200)
  const tooLong = 30n * 86_400n + 1n
  t.same(await reverted(credits.write.setWithdrawalDelay([tooLong])), {
    name: 'Credits_DelayTooLong',
    args: [tooLong],
  })
  const notAdmin = await reverted(credits.write.setWithdrawalDelay([1n], { account: stranger }))
  t.equal(notAdmin.name, 'AccessControlUnauthorizedAccount')
})

t.test('refuses bad constructor arguments', async (t) => {
  const wallet = chain.wallets[0]!
  const token = prlx.address
  const registry = fx.registry.address
  const deploy = (opts: Partial<Parameters<typeof deployCredits>[2]>) =>
    reverted(deployCredits(wallet, chain.publicClient, { token, registry, ...opts }), creditsAbi)

  t.same(await deploy({ token: zeroAddress }), { name: 'Credits_ZeroAddress', args: [] })
  t.same(await deploy({ registry: zeroAddress }), { name: 'Credits_ZeroAddress', args: [] })
  t.same(await deploy({ admin: zeroAddress }), { name: 'Credits_ZeroAddress', args: [] })
  t.same(await deploy({ shareBps: 4_000n }), { name: 'Credits_ShareOutOfBounds', args: [4_000n] })
  t.same(await deploy({ withdrawalDelay: 31n * 86_400n }), {
    name: 'Credits_DelayTooLong',
    args: [31n * 86_400n],
  })
})

t.test('reports its roles, token, registry and EIP-712 domain', async (t) => {
  const [, name, version, chainId, verifyingContract] = await credits.read.eip712Domain()

  t.equal(await credits.read.token(), prlx.address)
  t.equal(await credits.read.registry(), fx.registry.address)
  t.equal(await credits.read.hasRole([DEFAULT_ADMIN_ROLE, fx.admin.address]), true)
  t.equal(await credits.read.hasRole([TREASURY_ROLE, fx.admin.address]), true)
  t.equal(await credits.read.COORDINATOR_ROLE(), COORDINATOR_ROLE)
  t.equal(await credits.read.TREASURY_ROLE(), TREASURY_ROLE)
  t.same(
    [
      await credits.read.BPS(),
      await credits.read.MIN_SHARE_BPS(),
      await credits.read.MAX_SHARE_BPS(),
      await credits.read.MAX_WITHDRAWAL_DELAY(),
    ],
    [10_000n, 5_000n, 10_000n, 30n * 86_400n],
  )
  t.same([name, version, chainId, verifyingContract], [
    'ParalleliXAICredits',
    '1',
    BigInt(chain.anvil.chainId),
    credits.address,
  ])
})
