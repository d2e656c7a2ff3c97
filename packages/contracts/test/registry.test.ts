import t from 'tap'
import { keccak256, parseEther, toHex, zeroAddress } from 'viem'
import { COORDINATOR_ROLE, deployRegistry, registryAbi } from '../src/index.ts'
import { isolateEach, reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'
import { deployFixture } from './helpers/fixture.ts'

const PORT = 8603
const PEER_A = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const PEER_B = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE'
const evidence = (label: string) => keccak256(toHex(label))

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain, { unbondingDelay: 7_200n, maxSlashBps: 1_000n })
const { registry, prlx, operators, coordinator, admin, stranger } = fx
const [op1, op2, op3] = operators
await isolateEach(t, chain)

t.test('registers an operator under its peer id with a stake', async (t) => {
  const receipt = await fx.register(op1, PEER_A, parseEther('100'))

  t.same(eventsOf(registryAbi, receipt, 'OperatorRegistered')[0]?.args, {
    operator: op1.address,
    peerId: PEER_A,
    stake: parseEther('100'),
  })
  t.equal(await registry.read.operatorOf([PEER_A]), op1.address)
  t.equal(await registry.read.peerIdOf([op1.address]), PEER_A)
  t.equal(await registry.read.isRegistered([op1.address]), true)
  t.equal(await registry.read.stakeOf([op1.address]), parseEther('100'))
  t.same(await registry.read.operatorInfo([op1.address]), [true, parseEther('100'), 0n])
  t.equal(await prlx.read.balanceOf([registry.address]), parseEther('100'))
  t.equal(await registry.read.isRegistered([op2.address]), false)
  t.equal(await registry.read.operatorOf([PEER_B]), zeroAddress)
})

t.test('refuses a second registration of the same operator', async (t) => {
  await fx.register(op1, PEER_A)

  const err = await reverted(registry.write.register([PEER_B, 0n], { account: op1 }))
  t.same(err, { name: 'Registry_AlreadyRegistered', args: [op1.address] })
})

t.test('refuses a peer id another operator announced', async (t) => {
  await fx.register(op1, PEER_A)

  const err = await reverted(registry.write.register([PEER_A, 0n], { account: op2 }))
  t.same(err, { name: 'Registry_PeerIdTaken', args: [PEER_A] })
})

t.test('refuses an empty or oversized peer id', async (t) => {
  const empty = await reverted(registry.write.register(['', 0n], { account: op1 }))
  const long = await reverted(registry.write.register(['x'.repeat(129), 0n], { account: op1 }))

  t.equal(empty.name, 'Registry_InvalidPeerId')
  t.equal(long.name, 'Registry_InvalidPeerId')
  await fx.register(op1, 'x'.repeat(128))
  t.equal(await registry.read.peerIdOf([op1.address]), 'x'.repeat(128))
})

t.test('refuses a stake below the configured minimum', async (t) => {
  const receipt = await chain.mined(registry.write.setMinStake([parseEther('50')]))
  t.same(eventsOf(registryAbi, receipt, 'MinStakeUpdated')[0]?.args, {
    previous: 0n,
    current: parseEther('50'),
  })

  const err = await reverted(registry.write.register([PEER_A, parseEther('49')], { account: op1 }))
  t.same(err, { name: 'Registry_StakeTooLow', args: [parseEther('49'), parseEther('50')] })
  await fx.register(op1, PEER_A, parseEther('50'))
  t.equal(await registry.read.minStake(), parseEther('50'))
})

t.test('adds stake to a registration', async (t) => {
  await fx.register(op1, PEER_A, parseEther('10'))
  await chain.mined(prlx.write.mint([op1.address, parseEther('5')]))

  const receipt = await chain.mined(
    registry.write.increaseStake([parseEther('5')], { account: op1 }),
  )

  t.same(eventsOf(registryAbi, receipt, 'StakeIncreased')[0]?.args, {
    operator: op1.address,
    amount: parseEther('5'),
    stake: parseEther('15'),
  })
  t.equal(await registry.read.stakeOf([op1.address]), parseEther('15'))
  t.equal(await prlx.read.balanceOf([registry.address]), parseEther('15'))
})

t.test('refuses to add zero stake, or stake of an unknown or leaving operator', async (t) => {
  await fx.register(op1, PEER_A, parseEther('10'))

  const zero = await reverted(registry.write.increaseStake([0n], { account: op1 }))
  const unknown = await reverted(registry.write.increaseStake([1n], { account: op2 }))
  await chain.mined(registry.write.requestLeave({ account: op1 }))
  const leaving = await reverted(registry.write.increaseStake([1n], { account: op1 }))

  t.same(zero, { name: 'Registry_ZeroAmount', args: [] })
  t.same(unknown, { name: 'Registry_NotRegistered', args: [op2.address] })
  t.same(leaving, { name: 'Registry_AlreadyLeaving', args: [op1.address] })
})

t.test('lets an operator leave after the unbonding delay and frees its peer id', async (t) => {
  await fx.register(op1, PEER_A, parseEther('10'))
  const before = await prlx.read.balanceOf([op1.address])

  const leave = await chain.mined(registry.write.requestLeave({ account: op1 }))
  const readyAt = (await chain.now()) + 7_200n
  t.same(eventsOf(registryAbi, leave, 'LeaveRequested')[0]?.args, {
    operator: op1.address,
    readyAt,
  })
  t.same(await registry.read.operatorInfo([op1.address]), [true, parseEther('10'), readyAt])
  const early = await reverted(registry.write.withdrawStake({ account: op1 }))
  t.same(early, { name: 'Registry_UnbondingNotFinished', args: [readyAt] })

  await chain.increaseTime(7_200)
  const withdrawal = await chain.mined(registry.write.withdrawStake({ account: op1 }))

  t.same(eventsOf(registryAbi, withdrawal, 'StakeWithdrawn')[0]?.args, {
    operator: op1.address,
    amount: parseEther('10'),
  })
  t.equal(await prlx.read.balanceOf([op1.address]), before + parseEther('10'))
  t.equal(await registry.read.isRegistered([op1.address]), false)
  t.equal(await registry.read.peerIdOf([op1.address]), '')
  t.equal(await registry.read.operatorOf([PEER_A]), zeroAddress)
  await fx.register(op2, PEER_A)
  t.equal(await registry.read.operatorOf([PEER_A]), op2.address)
})

t.test('refuses to leave twice, or to withdraw without leaving', async (t) => {
  await fx.register(op1, PEER_A)

  const notLeaving = await reverted(registry.write.withdrawStake({ account: op1 }))
  await chain.mined(registry.write.requestLeave({ account: op1 }))
  const twice = await reverted(registry.write.requestLeave({ account: op1 }))
  const unknown = await reverted(registry.write.requestLeave({ account: op2 }))
  const unknownWithdraw = await reverted(registry.write.withdrawStake({ account: op2 }))

  t.same(notLeaving, { name: 'Registry_NotLeaving', args: [op1.address] })
  t.same(twice, { name: 'Registry_AlreadyLeaving', args: [op1.address] })
  t.same(unknown, { name: 'Registry_NotRegistered', args: [op2.address] })
  t.same(unknownWithdraw, { name: 'Registry_NotRegistered', args: [op2.address] })
})

t.test('slashes a bounded share of stake, citing evidence', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))

  const receipt = await chain.mined(
    registry.write.slash([op1.address, parseEther('10'), evidence('bad receipt')], {
      account: coordinator,
    }),
  )

  t.same(eventsOf(registryAbi, receipt, 'OperatorSlashed')[0]?.args, {
    operator: op1.address,
    evidenceHash: evidence('bad receipt'),
    amount: parseEther('10'),
    stake: parseEther('90'),
  })
  t.equal(await registry.read.stakeOf([op1.address]), parseEther('90'))
  t.equal(await registry.read.slashedBalance(), parseEther('10'))
  t.equal(await registry.read.isEvidenceUsed([evidence('bad receipt')]), true)
  t.equal(await registry.read.isEvidenceUsed([evidence('other')]), false)
})

t.test('refuses a slash above the per-event bound', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))

  const slash = registry.write.slash([op1.address, parseEther('10') + 1n, evidence('e')], {
    account: coordinator,
  })

  t.same(await reverted(slash), {
    name: 'Registry_SlashTooLarge',
    args: [parseEther('10') + 1n, parseEther('10')],
  })
})

t.test('refuses to slash twice on the same evidence', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))
  const args = [op1.address, 1n, evidence('e')] as const
  await chain.mined(registry.write.slash(args, { account: coordinator }))

  const err = await reverted(registry.write.slash(args, { account: coordinator }))

  t.same(err, { name: 'Registry_EvidenceAlreadyUsed', args: [evidence('e')] })
})

t.test('refuses a slash without evidence, of zero, or of an unknown operator', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))
  const zeroHash = `0x${'00'.repeat(32)}` as const
  const slash = (operator: `0x${string}`, amount: bigint, hash: `0x${string}`) =>
    reverted(registry.write.slash([operator, amount, hash], { account: coordinator }))

  t.same(await slash(op1.address, 1n, zeroHash), { name: 'Registry_EmptyEvidence', args: [] })
  t.same(await slash(op1.address, 0n, evidence('e')), { name: 'Registry_ZeroAmount', args: [] })
  t.same(await slash(op2.address, 1n, evidence('e')), {
    name: 'Registry_NotRegistered',
    args: [op2.address],
  })
})

t.test('only a coordinator can slash', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))

  const err = await reverted(
    registry.write.slash([op1.address, 1n, evidence('e')], { account: stranger }),
  )

  t.same(err, {
    name: 'AccessControlUnauthorizedAccount',
    args: [stranger.address, COORDINATOR_ROLE],
  })
})

t.test('still slashes an operator that is unbonding', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))
  await chain.mined(registry.write.requestLeave({ account: op1 }))

  await chain.mined(
    registry.write.slash([op1.address, parseEther('10'), evidence('e')], { account: coordinator }),
  )
  await chain.increaseTime(7_200)
  await chain.mined(registry.write.withdrawStake({ account: op1 }))

  t.equal(await prlx.read.balanceOf([op1.address]), parseEther('90'))
  t.equal(await prlx.read.balanceOf([registry.address]), parseEther('10'))
})

t.test('pays slashed stake to the treasury', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))
  await chain.mined(
    registry.write.slash([op1.address, parseEther('7'), evidence('e')], { account: coordinator }),
  )

  const receipt = await chain.mined(registry.write.claimSlashed([op3.address]))

  t.same(eventsOf(registryAbi, receipt, 'SlashedClaimed')[0]?.args, {
    to: op3.address,
    amount: parseEther('7'),
  })
  t.equal(await prlx.read.balanceOf([op3.address]), parseEther('7'))
  t.equal(await registry.read.slashedBalance(), 0n)
  t.same(await reverted(registry.write.claimSlashed([op3.address])), {
    name: 'Registry_NothingToClaim',
    args: [],
  })
  t.same(await reverted(registry.write.claimSlashed([zeroAddress])), {
    name: 'Registry_ZeroAddress',
    args: [],
  })
})

t.test('only the treasury collects slashed stake', async (t) => {
  const err = await reverted(registry.write.claimSlashed([stranger.address], { account: stranger }))

  t.equal(err.name, 'AccessControlUnauthorizedAccount')
  t.equal(err.args[0], stranger.address)
})

t.test('bounds the unbonding delay and the slash bound set by the admin', async (t) => {
  const delay = await chain.mined(registry.write.setUnbondingDelay([86_400n]))
  const bound = await chain.mined(registry.write.setMaxSlashBps([2_500n]))

  t.same(eventsOf(registryAbi, delay, 'UnbondingDelayUpdated')[0]?.args, {
    previous: 7_200n,
    current: 86_400n,
  })
  t.same(eventsOf(registryAbi, bound, 'MaxSlashBpsUpdated')[0]?.args, {
    previous: 1_000n,
    current: 2_500n,
  })
  t.equal(await registry.read.unbondingDelay(), 86_400)
  t.equal(await registry.read.maxSlashBps(), 2_500)
  const tooLong = 90n * 86_400n + 1n
  t.same(await reverted(registry.write.setUnbondingDelay([tooLong])), {
    name: 'Registry_DelayTooLong',
    args: [tooLong],
  })
  t.same(await reverted(registry.write.setMaxSlashBps([0n])), {
    name: 'Registry_SlashBpsOutOfBounds',
    args: [0n],
  })
  t.same(await reverted(registry.write.setMaxSlashBps([10_001n])), {
    name: 'Registry_SlashBpsOutOfBounds',
    args: [10_001n],
  })
  const notAdmin = await reverted(registry.write.setMinStake([1n], { account: stranger }))
  t.equal(notAdmin.name, 'AccessControlUnauthorizedAccount')
})

t.test('pausing stops registration and slashing but never leaving', async (t) => {
  await fx.register(op1, PEER_A, parseEther('100'))
  await chain.mined(registry.write.pause())

  const register = await reverted(registry.write.register([PEER_B, 0n], { account: op2 }))
  const slash = await reverted(
    registry.write.slash([op1.address, 1n, evidence('e')], { account: coordinator }),
  )
  const topUp = await reverted(registry.write.increaseStake([1n], { account: op1 }))
  await chain.mined(registry.write.requestLeave({ account: op1 }))
  await chain.increaseTime(7_200)
  await chain.mined(registry.write.withdrawStake({ account: op1 }))

  t.same(register, { name: 'EnforcedPause', args: [] })
  t.same(slash, { name: 'EnforcedPause', args: [] })
  t.same(topUp, { name: 'EnforcedPause', args: [] })
  t.equal(await prlx.read.balanceOf([op1.address]), parseEther('100'))
  await chain.mined(registry.write.unpause())
  await fx.register(op2, PEER_B)
  t.equal(await registry.read.paused(), false)
})

t.test('refuses a zero token or admin at deployment', async (t) => {
  const wallet = chain.wallets[0]!

  const err = await reverted(
    deployRegistry(wallet, chain.publicClient, { token: zeroAddress, admin: admin.address }),
    registryAbi,
  )

  t.same(err, { name: 'Registry_ZeroAddress', args: [] })
})
