import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import {
  type Address,
  getContract,
  type Hex,
  keccak256,
  maxUint256,
  parseSignature,
  type PrivateKeyAccount,
  toHex,
} from 'viem'
import {
  type CreditsDomainParams,
  creditsAbi,
  deployAll,
  planSettlement,
  prlxAbi,
  registryAbi,
  type SpendingAuthorization,
  spendingAuthorizationTypedData,
  type UsageEntry,
} from '../../src/index.ts'
import type { TestChain } from './chain.ts'

const tokenErrors = prlxAbi.filter(
  (item): item is Extract<(typeof prlxAbi)[number], { type: 'error' }> => item.type === 'error',
)
/** Vault ABI plus the token's errors, which bubble up through deposits. */
export const creditsTestAbi = [...creditsAbi, ...tokenErrors]
/** Registry ABI plus the token's errors. */
export const registryTestAbi = [...registryAbi, ...tokenErrors]

/** Leaf types of the test receipts tree: request id, user, operator, amount. */
export const RECEIPT_LEAF = ['bytes32', 'address', 'address', 'uint256'] as const

export type FixtureOptions = {
  withdrawalDelay?: bigint
  unbondingDelay?: bigint
  minStake?: bigint
  maxSlashBps?: bigint
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>

/**
 * Deploys PRLX, registry and vault with account 0 as admin and account 1 as coordinator.
 * Accounts 2-5 are users, 6-9 operators, 10 a stranger without any role.
 */
export async function deployFixture(chain: TestChain, opts: FixtureOptions = {}) {
  const { publicClient, accounts } = chain
  const admin = chain.wallets[0]!
  const account = (i: number): PrivateKeyAccount => {
    const found = accounts[i]
    if (!found) throw new Error(`the chain has no account ${i}`)
    return found
  }
  const coordinator = account(1)
  const users = [account(2), account(3), account(4), account(5)] as const
  const operators = [account(6), account(7), account(8), account(9)] as const
  const stranger = account(10)

  const deployment = await deployAll(admin, publicClient, {
    coordinators: [coordinator.address],
    withdrawalDelay: opts.withdrawalDelay ?? 3_600n,
    unbondingDelay: opts.unbondingDelay ?? 7_200n,
    minStake: opts.minStake ?? 0n,
    maxSlashBps: opts.maxSlashBps ?? 1_000n,
  })
  const client = { public: publicClient, wallet: admin }
  const prlx = getContract({ address: deployment.token, abi: prlxAbi, client })
  const registry = getContract({ address: deployment.registry, abi: registryTestAbi, client })
  const credits = getContract({ address: deployment.credits, abi: creditsTestAbi, client })
  const domain: CreditsDomainParams = {
    chainId: chain.anvil.chainId,
    credits: deployment.credits,
  }
  let batches = 0

  /** Mints `amount` to `user`, approves the vault and deposits it. */
  async function fund(user: PrivateKeyAccount, amount: bigint): Promise<void> {
    await chain.mined(prlx.write.mint([user.address, amount]))
    await chain.mined(prlx.write.approve([credits.address, maxUint256], { account: user }))
    await chain.mined(credits.write.deposit([amount], { account: user }))
  }

  /** `user`'s signature over an authorization with its current nonce. */
  async function signAuthorization(
    user: PrivateKeyAccount,
    fields: Partial<SpendingAuthorization> & { cap: bigint },
  ): Promise<{ message: SpendingAuthorization; signature: Hex }> {
    const message: SpendingAuthorization = {
      user: user.address,
      coordinator: coordinator.address,
      expiry: (await chain.now()) + 86_400n,
      nonce: await credits.read.authorizationNonce([user.address]),
      ...fields,
    }
    const signature = await user.signTypedData(spendingAuthorizationTypedData(domain, message))
    return { message, signature }
  }

  /** Signs and submits a spending authorization for `user` (submitted by the coordinator). */
  async function authorize(
    user: PrivateKeyAccount,
    fields: Partial<SpendingAuthorization> & { cap: bigint },
  ) {
    const { message, signature } = await signAuthorization(user, fields)
    const { coordinator: c, cap, expiry, nonce } = message
    return chain.mined(
      credits.write.authorize([user.address, c, cap, expiry, nonce, signature], {
        account: coordinator,
      }),
    )
  }

  /** Funds `operator` with `stake` PRLX and registers it under `peerId`. */
  async function register(operator: PrivateKeyAccount, peerId: string, stake = 0n) {
    if (stake > 0n) {
      await chain.mined(prlx.write.mint([operator.address, stake]))
      await chain.mined(prlx.write.approve([registry.address, maxUint256], { account: operator }))
    }
    return chain.mined(registry.write.register([peerId, stake], { account: operator }))
  }

  /** `owner`'s EIP-2612 permit letting the vault pull `value` PRLX. */
  async function signPermit(owner: PrivateKeyAccount, value: bigint, deadline: bigint) {
    const signature = await owner.signTypedData({
      domain: {
        name: 'ParalleliX',
        version: '1',
        chainId: chain.anvil.chainId,
        verifyingContract: prlx.address,
      },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: {
        owner: owner.address,
        spender: credits.address,
        value,
        nonce: await prlx.read.nonces([owner.address]),
        deadline,
      },
    })
    const { v, r, s } = parseSignature(signature)
    return { v: Number(v ?? 27n), r, s }
  }

  /** A batch built from `entries` with the vault's current share and a receipts tree. */
  async function batch(entries: UsageEntry[]) {
    const shareBps = BigInt(await credits.read.shareBps())
    const plan = planSettlement(entries, shareBps)
    const n = batches++
    const leaves = entries.map(
      (e, i) => [keccak256(toHex(`req-${n}-${i}`)), e.user, e.operator, e.amount] as const,
    )
    const tree = StandardMerkleTree.of(
      leaves.map((l) => [...l]),
      [...RECEIPT_LEAF],
    )
    const batchId = keccak256(toHex(`batch-${n}`))
    return { batchId, root: tree.root as Hex, tree, plan, count: BigInt(entries.length) }
  }

  /** Settles `entries` as the coordinator (or `as`). */
  async function settle(entries: UsageEntry[], as: PrivateKeyAccount = coordinator) {
    const b = await batch(entries)
    const args = [b.batchId, b.root, b.count, b.plan.debits, b.plan.credits] as const
    const receipt = await chain.mined(credits.write.settle(args, { account: as }))
    return { ...b, receipt }
  }

  return {
    chain,
    deployment,
    prlx,
    registry,
    credits,
    domain,
    admin: account(0),
    coordinator: coordinator,
    users,
    operators,
    stranger: stranger,
    fund,
    signAuthorization,
    signPermit,
    authorize,
    register,
    batch,
    settle,
  }
}

/** One usage entry. */
export function use(user: { address: Address }, operator: { address: Address }, amount: bigint) {
  return { user: user.address, operator: operator.address, amount }
}
