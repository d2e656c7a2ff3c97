import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import {
  createPublicClient,
  createWalletClient,
  getContract,
  type Hex,
  http,
  keccak256,
  maxUint256,
  type PrivateKeyAccount,
  type PublicClient,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import {
  type AnvilInstance,
  creditsAbi,
  deployAll,
  planSettlement,
  prlxAbi,
  registryAbi,
  signSpendingAuthorization,
  startAnvil,
  type UsageEntry,
} from '../src/index.ts'

const PORT = 8699
const USERS = 10
const OPERATORS = 20
const SIZES = [1, 10, 100, 1_000] as const
const GOAL = 500n

type Row = { receipts: number; users: number; operators: number; gas: bigint; state: string }

/**
 * Measures the gas of `settle` per request for batches of 1 to 1,000 receipts spread over
 * 10 users and 20 operators, on a fresh anvil, and returns the table as text.
 */
export async function benchGas(): Promise<string> {
  const anvil = await startAnvil({ port: PORT, accounts: 2 + USERS + OPERATORS })
  try {
    const { publicClient, credits, coordinator, users, operators } = await setUp(anvil)
    let batch = 0
    const settle = async (receipts: number) => {
      const entries = usage(receipts, users, operators)
      const plan = planSettlement(entries)
      const id = keccak256(toHex(`bench-${batch}`))
      const root = receiptsRoot(entries, batch++)
      const args = [id, root, BigInt(receipts), plan.debits, plan.credits] as const
      const hash = await credits.write.settle(args, { account: coordinator })
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`settle ${hash} reverted`)
      return {
        receipts,
        users: plan.debits.length,
        operators: plan.credits.length,
        gas: receipt.gasUsed,
      }
    }

    const cold = await settle(1_000)
    const rows: Row[] = [{ ...cold, state: 'cold: first credit of each operator' }]
    for (const size of SIZES) rows.push({ ...(await settle(size)), state: 'steady' })
    return render(rows)
  } finally {
    await anvil.stop()
  }
}

/** Deploys the contracts, funds and authorizes the users, registers the operators. */
async function setUp(anvil: AnvilInstance) {
  const transport = http(anvil.rpcUrl)
  const publicClient = createPublicClient({
    chain: foundry,
    transport,
    pollingInterval: 20,
  }) as PublicClient
  const accounts = anvil.privateKeys.map((key) => privateKeyToAccount(key))
  const wallet = (account: PrivateKeyAccount) =>
    createWalletClient({ account, chain: foundry, transport })
  const admin = wallet(accounts[0]!)
  const coordinator = accounts[1]!
  const users = accounts.slice(2, 2 + USERS)
  const operators = accounts.slice(2 + USERS)
  const mined = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash })
    if (receipt.status !== 'success') throw new Error(`setup transaction reverted`)
  }

  const deployment = await deployAll(admin, publicClient, { coordinators: [coordinator.address] })
  const client = { public: publicClient, wallet: admin }
  const prlx = getContract({ address: deployment.token, abi: prlxAbi, client })
  const registry = getContract({ address: deployment.registry, abi: registryAbi, client })
  const credits = getContract({ address: deployment.credits, abi: creditsAbi, client })
  const domain = { chainId: anvil.chainId, credits: credits.address }
  for (const user of users) {
    await mined(prlx.write.mint([user.address, parseEther('1000000')]))
    await mined(prlx.write.approve([credits.address, maxUint256], { account: user }))
    await mined(credits.write.deposit([parseEther('1000000')], { account: user }))
    const message = {
      user: user.address,
      coordinator: coordinator.address,
      cap: maxUint256,
      expiry: 2n ** 40n - 1n,
      nonce: 0n,
    }
    const signature = await signSpendingAuthorization(wallet(user), domain, message)
    const { cap, expiry, nonce } = message
    const args = [user.address, coordinator.address, cap, expiry, nonce, signature] as const
    await mined(credits.write.authorize(args, { account: coordinator }))
  }
  for (const [i, operator] of operators.entries()) {
    await mined(registry.write.register([`12D3KooWBench${i}`, 0n], { account: operator }))
  }

  return { publicClient, credits, coordinator, users, operators }
}

function usage(
  receipts: number,
  users: PrivateKeyAccount[],
  operators: PrivateKeyAccount[],
): UsageEntry[] {
  return Array.from({ length: receipts }, (_, i) => ({
    user: users[i % users.length]!.address,
    operator: operators[i % operators.length]!.address,
    amount: 1_000_000_000_000_000n + BigInt(i) * 7_919n,
  }))
}

function receiptsRoot(entries: UsageEntry[], batch: number): Hex {
  const leaves = entries.map((e, i) => [
    keccak256(toHex(`request-${batch}-${i}`)),
    e.user,
    e.operator,
    e.amount,
  ])
  return StandardMerkleTree.of(leaves, ['bytes32', 'address', 'address', 'uint256']).root as Hex
}

function render(rows: Row[]): string {
  const lines = [
    'settle() gas per request (10 users, 20 operators)',
    '',
    '| receipts | users | operators | gas (tx) | gas / request | state |',
    '|---:|---:|---:|---:|---:|:---|',
    ...rows.map((r) => {
      const cells = [r.receipts, r.users, r.operators, r.gas, r.gas / BigInt(r.receipts), r.state]
      return `| ${cells.join(' | ')} |`
    }),
    '',
  ]
  const steady = rows.find((r) => r.state === 'steady' && r.receipts === 1_000)
  if (steady) {
    const perRequest = steady.gas / 1_000n
    const verdict = perRequest <= GOAL ? 'met' : 'missed'
    lines.push(`goal: <= ${GOAL} gas per request at 1,000 receipts: ${verdict} (${perRequest})`)
  }
  return lines.join('\n')
}
