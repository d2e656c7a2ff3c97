import {
  deployAll, prlxAbi, startAnvil, type AnvilInstance, type Deployment
} from '@parallelix/contracts'
import {
  createPublicClient, createWalletClient, defineChain, http, type Address, type Hex,
  type PublicClient
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { ChainConfig } from '../../src/chain/vault.ts'

export interface CreditChain {
  anvil: AnvilInstance
  publicClient: PublicClient
  deployment: Deployment
  /** Key of the account holding the vault's COORDINATOR_ROLE. */
  coordinatorKey: Hex
  coordinatorAddress: Address
  /** Keys of users without any role. */
  userKeys: Hex[]
  /** A wallet client of `key` on this chain. */
  wallet: (key: Hex) => ReturnType<typeof walletOf>
  /** Mints `amount` PRLX to `to` (the deployer holds MINTER_ROLE). */
  mint: (to: Address, amount: bigint) => Promise<void>
  /** Mines `blocks` empty blocks. */
  mine: (blocks: number) => Promise<void>
  blockNumber: () => Promise<bigint>
  /** The coordinator's view of this chain. */
  chainConfig: (confirmations: number) => ChainConfig
  stop: () => Promise<void>
}

function chainOf (anvil: AnvilInstance) {
  return defineChain({
    id: anvil.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } }
  })
}

function walletOf (anvil: AnvilInstance, key: Hex) {
  return createWalletClient({
    chain: chainOf(anvil), transport: http(anvil.rpcUrl), account: privateKeyToAccount(key)
  })
}

/** A real anvil on `port` with PRLX, registry and vault deployed; account 1 coordinates. */
export async function startCreditChain (port: number): Promise<CreditChain> {
  const anvil = await startAnvil({ port })
  const chain = chainOf(anvil)
  const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl) }) as PublicClient
  const admin = walletOf(anvil, anvil.privateKeys[0]!)
  const coordinatorKey = anvil.privateKeys[1]!
  const coordinatorAddress = anvil.accounts[1]!
  const deployment = await deployAll(admin, publicClient, { coordinators: [coordinatorAddress] })

  return {
    anvil,
    publicClient,
    deployment,
    coordinatorKey,
    coordinatorAddress,
    userKeys: anvil.privateKeys.slice(2),
    wallet: (key) => walletOf(anvil, key),
    mint: async (to, amount) => {
      const hash = await admin.writeContract({
        address: deployment.token, abi: prlxAbi, functionName: 'mint', args: [to, amount]
      })
      await publicClient.waitForTransactionReceipt({ hash })
    },
    mine: async (blocks) => {
      await publicClient.request({
        method: 'anvil_mine' as never, params: [`0x${blocks.toString(16)}`] as never
      })
    },
    blockNumber: async () => publicClient.getBlockNumber({ cacheTime: 0 }),
    chainConfig: (confirmations) => ({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      credits: deployment.credits,
      confirmations,
      pollIntervalMs: 50
    }),
    stop: async () => { await anvil.stop() }
  }
}
