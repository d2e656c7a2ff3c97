import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { getContract } from 'viem'
import {
  COORDINATOR_ROLE,
  creditsAbi,
  DeployError,
  deployAll,
  deployPrlx,
  registryAbi,
  TREASURY_ROLE,
} from '../src/index.ts'
import { isolateEach, startChain } from './helpers/chain.ts'

const PORT = 8610
const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'deploy-contracts.ts')

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const wallet = chain.wallets[0]!
const [admin, coordinator, other] = chain.accounts as [
  (typeof chain.accounts)[0],
  (typeof chain.accounts)[0],
  (typeof chain.accounts)[0],
]
await isolateEach(t, chain)

const read = (address: `0x${string}`, abi: typeof creditsAbi | typeof registryAbi) =>
  getContract({ address, abi, client: chain.publicClient })

t.test('deploys token, registry and vault and grants the coordinator role', async (t) => {
  const deployment = await deployAll(wallet, chain.publicClient, {
    coordinators: [coordinator.address],
    shareBps: 9_000n,
    withdrawalDelay: 60n,
    minStake: 5n,
    unbondingDelay: 120n,
    maxSlashBps: 500n,
  })
  const credits = getContract({
    address: deployment.credits,
    abi: creditsAbi,
    client: chain.publicClient,
  })
  const registry = getContract({
    address: deployment.registry,
    abi: registryAbi,
    client: chain.publicClient,
  })

  t.equal(deployment.deployedToken, true)
  t.equal(await credits.read.token(), deployment.token)
  t.equal(await credits.read.registry(), deployment.registry)
  t.equal(await registry.read.token(), deployment.token)
  t.equal(await credits.read.hasRole([COORDINATOR_ROLE, coordinator.address]), true)
  t.equal(await registry.read.hasRole([COORDINATOR_ROLE, coordinator.address]), true)
  t.equal(await credits.read.hasRole([TREASURY_ROLE, admin.address]), true)
  t.same(
    [await credits.read.shareBps(), await credits.read.withdrawalDelay()],
    [9_000, 60],
  )
  t.same(
    [
      await registry.read.minStake(),
      await registry.read.unbondingDelay(),
      await registry.read.maxSlashBps(),
    ],
    [5n, 120, 500],
  )
})

t.test('uses an existing token instead of deploying PRLX', async (t) => {
  const token = await deployPrlx(wallet, chain.publicClient)

  const deployment = await deployAll(wallet, chain.publicClient, { token })

  t.equal(deployment.deployedToken, false)
  t.equal(deployment.token, token)
  t.equal(await read(deployment.credits, creditsAbi).read.token(), token)
})

t.test('hands the admin role to another account', async (t) => {
  const deployment = await deployAll(wallet, chain.publicClient, { admin: other.address })

  const credits = read(deployment.credits, creditsAbi)
  t.equal(await credits.read.hasRole([`0x${'00'.repeat(32)}`, other.address]), true)
  t.equal(await credits.read.hasRole([`0x${'00'.repeat(32)}`, admin.address]), false)
})

t.test('refuses to grant coordinator roles it could not grant', async (t) => {
  const err = await deployAll(wallet, chain.publicClient, {
    admin: other.address,
    coordinators: [coordinator.address],
  }).catch((e: unknown) => e)

  t.type(err, DeployError)
  t.equal((err as Error).name, 'DeployError')
})

t.test('the deploy script writes the addresses it deployed', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'prlx-deploy-')), 'addresses.json')
  const args = [
    '--import=tsx',
    SCRIPT,
    '--rpc', chain.anvil.rpcUrl,
    '--key', chain.anvil.privateKeys[0]!,
    '--out', out,
    '--coordinator', coordinator.address,
    '--share-bps', '8000',
  ]

  await promisify(execFile)(process.execPath, args)

  const written = JSON.parse(readFileSync(out, 'utf8'))
  t.equal(written.chainId, 31_337)
  t.equal(written.deployer, admin.address)
  t.equal(written.deployedToken, true)
  t.same(written.coordinators, [coordinator.address])
  const credits = read(written.credits, creditsAbi)
  t.equal(await credits.read.token(), written.token)
  t.equal(await credits.read.registry(), written.registry)
  t.equal(await credits.read.shareBps(), 8_000)
  t.equal(await credits.read.hasRole([COORDINATOR_ROLE, coordinator.address]), true)
})
