import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { creditsAbi, prlxAbi } from '@parallelix/contracts'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import { auditLedger } from '../src/ledger/audit.ts'
import { provisionDemoAccount } from '../../../scripts/lib/demo-account.ts'
import { startCreditChain, type CreditChain } from './helpers/credit-chain.ts'

const CONFIRMATIONS = 3

let chain: CreditChain
let dir: string
let coordinator: RunningCoordinator | undefined

t.before(async () => {
  chain = await startCreditChain(8681)
  dir = await mkdtemp(join(tmpdir(), 'px-vault-'))
})
t.teardown(async () => {
  await coordinator?.stop()
  await chain.stop()
  await rm(dir, { recursive: true, force: true })
})

async function start (): Promise<RunningCoordinator> {
  coordinator = await startCoordinator({
    dataDir: dir,
    httpPort: 0,
    chain: chain.chainConfig(CONFIRMATIONS),
    coordinatorKey: chain.coordinatorKey
  })
  return coordinator
}

async function stop (): Promise<void> {
  await coordinator?.stop()
  coordinator = undefined
}

/** One poll of the vault, then the account's credit as GET /v1/usage reports it. */
async function credits (c: RunningCoordinator, token: string) {
  await c.accounts?.watcher?.poll()
  const res = await fetch(`${c.apiBase}/usage`, { headers: { authorization: `Bearer ${token}` } })
  const body = await res.json() as { credits: Record<string, string> }
  return body.credits
}

const userWallet = (key: Hex) => chain.wallet(key)

async function send (hash: Promise<Hex>): Promise<bigint> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await hash })
  if (receipt.status !== 'success') throw new Error('transaction reverted')
  return receipt.blockNumber
}

let apiKey: string
let session: string
const userKey = (): Hex => chain.userKeys[0]!

t.test('credits a deposit after the configured confirmations, once, across a restart',
  async (t) => {
    let c = await start()
    const user = privateKeyToAccount(userKey())
    await chain.mint(user.address, 5_000n)
    const demo = await provisionDemoAccount({
      apiBase: c.apiBase,
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      contracts: { prlx: chain.deployment.token, credits: chain.deployment.credits },
      userKey: userKey(),
      coordinatorAddress: chain.coordinatorAddress,
      depositAmount: 1_000n,
      waitForCreditMs: 0
    })
    apiKey = demo.apiKey
    session = demo.session
    t.equal(demo.account, user.address)

    t.equal((await credits(c, apiKey)).balance, '0', 'one confirmation is not enough')
    await chain.mine(1)
    t.equal((await credits(c, apiKey)).balance, '0', 'nor two')
    await chain.mine(1)
    t.equal((await credits(c, apiKey)).balance, '1000', 'three confirmations credit it')

    const wallet = userWallet(userKey())
    const { credits: vault, token } = chain.deployment
    await send(wallet.writeContract({
      address: token, abi: prlxAbi, functionName: 'approve', args: [vault, 2_000n]
    }))
    await send(wallet.writeContract({
      address: vault, abi: creditsAbi, functionName: 'deposit', args: [2_000n]
    }))
    await chain.mine(1)
    t.equal((await credits(c, apiKey)).balance, '1000', 'the second deposit has two')

    await stop()
    await chain.mine(1)
    c = await start()
    t.equal((await credits(c, apiKey)).balance, '3000', 'credited after the restart')
    t.equal((await credits(c, apiKey)).balance, '3000', 'and only once')

    c.database.prepare("UPDATE chain_cursors SET block = '0'").run()
    t.equal((await credits(c, apiKey)).balance, '3000', 'rescanning the chain adds nothing')
    t.equal(c.database.prepare("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'deposit'")
      .pluck().get(), 2)
    t.same(auditLedger(c.database), [])
  })

t.test('co-signs an instant withdrawal only for available credit; the vault honours it',
  async (t) => {
    const c = coordinator!
    const withdraw = async (amount: string, token = session) => {
      const res = await fetch(`${c.apiBase}/withdrawals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount })
      })
      return { status: res.status, body: await res.json() as Record<string, any> }
    }

    const tooMuch = await withdraw('3001')
    t.equal(tooMuch.status, 409)
    t.equal(tooMuch.body.error.code, 'withdrawal_exceeds_available')
    const byKey = await withdraw('10', apiKey)
    t.equal(byKey.status, 403, 'an API key cannot withdraw')

    const granted = await withdraw('500')
    t.equal(granted.status, 200)
    t.equal(granted.body.amount, '500')
    t.equal(granted.body.coordinator, chain.coordinatorAddress)
    t.same(await credits(c, apiKey), {
      balance: '3000', reserved: '0', held: '500', unsettled: '0', available: '2500', spent: '0'
    })
    t.equal((await withdraw('1')).body.error.code, 'withdrawal_pending')

    const user = privateKeyToAccount(userKey())
    await send(userWallet(userKey()).writeContract({
      address: chain.deployment.credits, abi: creditsAbi, functionName: 'withdraw',
      args: [500n, BigInt(granted.body.deadline), granted.body.coordinator, granted.body.signature]
    }))
    await chain.mine(CONFIRMATIONS - 1)
    t.same(await credits(c, apiKey), {
      balance: '2500', reserved: '0', held: '0', unsettled: '0', available: '2500', spent: '0'
    })
    const onChain = await chain.publicClient.readContract({
      address: chain.deployment.credits, abi: creditsAbi, functionName: 'balanceOf',
      args: [user.address]
    })
    t.equal(onChain, 2_500n, 'the vault agrees with the ledger')
  })

t.test('holds credit for a delayed withdrawal requested on chain', async (t) => {
  const c = coordinator!
  await send(userWallet(userKey()).writeContract({
    address: chain.deployment.credits, abi: creditsAbi, functionName: 'requestWithdrawal',
    args: [2_000n]
  }))
  await chain.mine(CONFIRMATIONS - 1)
  const held = await credits(c, apiKey)
  t.equal(held.held, '2000')
  t.equal(held.available, '500')

  await send(userWallet(userKey()).writeContract({
    address: chain.deployment.credits, abi: creditsAbi, functionName: 'cancelWithdrawal'
  }))
  await chain.mine(CONFIRMATIONS - 1)
  t.equal((await credits(c, apiKey)).available, '2500')
  t.same(auditLedger(c.database), [])
})
