import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { type AnvilInstance, startAnvil } from '../../src/index.ts'

/** A wallet client on the local chain with a private-key account. */
export type TestWallet = WalletClient<Transport, typeof foundry, PrivateKeyAccount>

/** A running anvil with clients and helpers shaped for tests. */
export type TestChain = {
  anvil: AnvilInstance
  publicClient: PublicClient
  testClient: TestClient
  /** Wallet clients of anvil's funded accounts, in order. */
  wallets: TestWallet[]
  /** The same accounts, to pass as `{ account }` to contract writes. */
  accounts: PrivateKeyAccount[]
  /** Waits for a transaction and fails unless it succeeded. */
  mined(hash: Promise<Hex> | Hex): Promise<TransactionReceipt>
  /** Timestamp of the latest block. */
  now(): Promise<bigint>
  /** Moves time forward by `seconds` and mines a block. */
  increaseTime(seconds: bigint | number): Promise<void>
  snapshot(): Promise<Hex>
  revert(id: Hex): Promise<void>
  stop(): Promise<void>
}

/** Starts anvil on `port` with `accounts` funded accounts. */
export async function startChain(port: number, accounts = 16): Promise<TestChain> {
  const anvil = await startAnvil({ port, accounts })
  const transport = http(anvil.rpcUrl)
  const publicClient = createPublicClient({
    chain: foundry,
    // Reads issued together travel as one JSON-RPC batch.
    transport: http(anvil.rpcUrl, { batch: true }),
    pollingInterval: 10,
    cacheTime: 0,
  }) as PublicClient
  const testClient = createTestClient({ chain: foundry, mode: 'anvil', transport })
  const keyed = anvil.privateKeys.map((key) => privateKeyToAccount(key))
  const wallets = keyed.map((account) =>
    createWalletClient({ account, chain: foundry, transport }),
  )

  return {
    anvil,
    publicClient,
    testClient: testClient as unknown as TestClient,
    wallets,
    accounts: keyed,
    async mined(hash) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash })
      if (receipt.status !== 'success') {
        throw new Error(`transaction ${receipt.transactionHash} reverted`)
      }
      return receipt
    },
    async now() {
      return (await publicClient.getBlock()).timestamp
    },
    async increaseTime(seconds) {
      await testClient.increaseTime({ seconds: Number(seconds) })
      await testClient.mine({ blocks: 1 })
    },
    snapshot: () => testClient.snapshot(),
    async revert(id) {
      await testClient.revert({ id })
    },
    stop: () => anvil.stop(),
  }
}

/** The decoded custom error a call reverted with. */
export type Revert = { name: string; args: readonly unknown[] }

/**
 * Awaits a call expected to revert and returns its decoded custom error. Contract calls
 * decode with their own ABI; for deployments pass `abi` to decode the raw revert data.
 */
export async function reverted(call: Promise<unknown>, abi?: Abi): Promise<Revert> {
  try {
    await call
  } catch (err) {
    if (!(err instanceof BaseError)) throw err
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError && revert.data) {
      return { name: revert.data.errorName, args: revert.data.args ?? [] }
    }
    const raw = err.walk((e) => typeof (e as { data?: unknown }).data === 'string')
    const data = (raw as { data?: unknown } | null)?.data
    if (abi && typeof data === 'string' && data.startsWith('0x')) {
      const decoded = decodeErrorResult({ abi, data: data as `0x${string}` })
      return { name: decoded.errorName, args: decoded.args ?? [] }
    }
    throw err
  }
  throw new Error('expected the call to revert, it succeeded')
}

/**
 * Makes every subtest of `t` start from the chain state at the time of this call, by
 * reverting to a snapshot before each one.
 */
export async function isolateEach(
  t: { beforeEach(fn: () => Promise<void>): void },
  chain: TestChain,
): Promise<void> {
  let snapshot = await chain.snapshot()
  t.beforeEach(async () => {
    await chain.revert(snapshot)
    snapshot = await chain.snapshot()
  })
}
