import { createServer } from 'node:net'
import {
  createPublicClient, createWalletClient, http, parseEther,
  type Address, type Hex, type PublicClient
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import {
  deployAll, prlxAbi, registryAbi, startAnvil, type AnvilInstance, type Deployment
} from '@parallelix/contracts'

/** anvil account roles on the devnet (its keys are public knowledge: devnet only). */
const ADMIN = 0
const COORDINATOR = 1
const DEMO_USER = 2
const FIRST_OPERATOR = 3

export const DEMO_USER_PRLX = parseEther('1000')
export const OPERATOR_STAKE = parseEther('100')

export interface DevnetChain {
  anvil: AnvilInstance
  publicClient: PublicClient
  contracts: Deployment
  coordinatorKey: Hex
  demoUserKey: Hex
  /** The operator key for node `i`. */
  operatorKey: (i: number) => Hex
  /** Stakes and registers node `i`'s operator under its libp2p peer id. */
  registerOperator: (i: number, peerId: string) => Promise<void>
  stop: () => Promise<void>
}

/** A free TCP port on loopback, for anvil when the caller did not choose one. */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts anvil, deploys PRLX, the registry and the vault, grants the coordinator its role and
 * gives the demo user PRLX to deposit.
 */
export async function startDevnetChain (
  opts: { port: number, nodes: number }
): Promise<DevnetChain> {
  const anvil = await startAnvil({
    port: opts.port === 0 ? await freePort() : opts.port,
    accounts: FIRST_OPERATOR + Math.max(opts.nodes, 1) + 8
  })
  try {
    const transport = http(anvil.rpcUrl)
    const chain = { ...foundry, id: anvil.chainId }
    const publicClient = createPublicClient({ chain, transport }) as PublicClient
    const wallet = (i: number) =>
      createWalletClient({ chain, transport, account: privateKeyToAccount(anvil.privateKeys[i]!) })
    const admin = wallet(ADMIN)
    const key = (i: number): Hex => {
      const k = anvil.privateKeys[i]
      if (k === undefined) throw new Error(`anvil has no account ${i}`)
      return k
    }

    const contracts = await deployAll(admin, publicClient, {
      coordinators: [anvil.accounts[COORDINATOR]!]
    })
    // Nodes register concurrently; the admin's mints go one at a time so nonces never clash.
    let adminQueue: Promise<unknown> = Promise.resolve()
    const mint = async (to: Address, amount: bigint): Promise<void> => {
      const run = adminQueue.then(async () => {
        const hash = await admin.writeContract({
          address: contracts.token, abi: prlxAbi, functionName: 'mint', args: [to, amount]
        })
        await publicClient.waitForTransactionReceipt({ hash })
      })
      adminQueue = run.catch(() => {})
      await run
    }
    await mint(anvil.accounts[DEMO_USER]!, DEMO_USER_PRLX)

    return {
      anvil,
      publicClient,
      contracts,
      coordinatorKey: key(COORDINATOR),
      demoUserKey: key(DEMO_USER),
      operatorKey: (i) => key(FIRST_OPERATOR + i),
      registerOperator: async (i, peerId) => {
        const operator = wallet(FIRST_OPERATOR + i)
        await mint(operator.account.address, OPERATOR_STAKE)
        const approve = await operator.writeContract({
          address: contracts.token, abi: prlxAbi, functionName: 'approve',
          args: [contracts.registry, OPERATOR_STAKE]
        })
        await publicClient.waitForTransactionReceipt({ hash: approve })
        const register = await operator.writeContract({
          address: contracts.registry, abi: registryAbi, functionName: 'register',
          args: [peerId, OPERATOR_STAKE]
        })
        await publicClient.waitForTransactionReceipt({ hash: register })
      },
      stop: async () => anvil.stop()
    }
  } catch (err) {
    await anvil.stop()
    throw err
  }
}
