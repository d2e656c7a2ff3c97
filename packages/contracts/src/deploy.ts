import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractConstructorArgs,
  getAddress,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import {
  COORDINATOR_ROLE,
  DEFAULT_MAX_SLASH_BPS,
  DEFAULT_SHARE_BPS,
  DEFAULT_UNBONDING_DELAY,
  DEFAULT_WITHDRAWAL_DELAY,
} from './constants.ts'
import { DeployError } from './errors.ts'
import { creditsAbi, creditsBytecode } from './generated/credits.ts'
import { prlxAbi, prlxBytecode } from './generated/prlx.ts'
import { registryAbi, registryBytecode } from './generated/registry.ts'

/** A wallet client with an account: it signs and sends the deployments. */
export type DeployWallet = WalletClient<Transport, Chain | undefined, Account>

export type DeployPrlxOptions = {
  /** Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE; defaults to the deployer. */
  admin?: Address
}

export type DeployRegistryOptions = {
  token: Address
  /** Receives DEFAULT_ADMIN_ROLE and TREASURY_ROLE; defaults to the deployer. */
  admin?: Address
  minStake?: bigint
  unbondingDelay?: bigint
  maxSlashBps?: bigint
}

export type DeployCreditsOptions = {
  token: Address
  registry: Address
  /** Receives DEFAULT_ADMIN_ROLE and TREASURY_ROLE; defaults to the deployer. */
  admin?: Address
  shareBps?: bigint
  withdrawalDelay?: bigint
}

export type DeployAllOptions = Omit<DeployRegistryOptions, 'token'> &
  Omit<DeployCreditsOptions, 'token' | 'registry'> & {
    /** An existing token (production); when absent a devnet PRLX is deployed. */
    token?: Address
    /** Accounts granted COORDINATOR_ROLE on the vault and the registry. */
    coordinators?: Address[]
  }

export type Deployment = {
  token: Address
  registry: Address
  credits: Address
  /** Whether `token` is a PRLX deployed by this call. */
  deployedToken: boolean
}

/** Deploys the devnet PRLX token and returns its address. */
export function deployPrlx(
  walletClient: DeployWallet,
  publicClient: PublicClient,
  { admin = walletClient.account.address }: DeployPrlxOptions = {},
): Promise<Address> {
  return deploy(walletClient, publicClient, prlxAbi, prlxBytecode, [admin])
}

/** Deploys the OperatorRegistry and returns its address. */
export function deployRegistry(
  walletClient: DeployWallet,
  publicClient: PublicClient,
  {
    token,
    admin = walletClient.account.address,
    minStake = 0n,
    unbondingDelay = DEFAULT_UNBONDING_DELAY,
    maxSlashBps = DEFAULT_MAX_SLASH_BPS,
  }: DeployRegistryOptions,
): Promise<Address> {
  const args = [token, admin, minStake, unbondingDelay, maxSlashBps] as const
  return deploy(walletClient, publicClient, registryAbi, registryBytecode, args)
}

/** Deploys the ParalleliXAICredits vault and returns its address. */
export function deployCredits(
  walletClient: DeployWallet,
  publicClient: PublicClient,
  {
    token,
    registry,
    admin = walletClient.account.address,
    shareBps = DEFAULT_SHARE_BPS,
    withdrawalDelay = DEFAULT_WITHDRAWAL_DELAY,
  }: DeployCreditsOptions,
): Promise<Address> {
  const args = [token, registry, admin, shareBps, withdrawalDelay] as const
  return deploy(walletClient, publicClient, creditsAbi, creditsBytecode, args)
}

/**
 * Deploys token (unless given), registry and vault, then grants COORDINATOR_ROLE on both
 * to `coordinators`. Granting needs the deployer to be the admin.
 */
export async function deployAll(
  walletClient: DeployWallet,
  publicClient: PublicClient,
  opts: DeployAllOptions = {},
): Promise<Deployment> {
  const deployer = walletClient.account.address
  const admin = opts.admin ?? deployer
  const coordinators = opts.coordinators ?? []
  if (coordinators.length > 0 && admin.toLowerCase() !== deployer.toLowerCase()) {
    throw new DeployError('granting coordinator roles needs the deployer as admin')
  }

  const token = opts.token ?? (await deployPrlx(walletClient, publicClient, { admin }))
  const registry = await deployRegistry(walletClient, publicClient, { ...opts, token, admin })
  const credits = await deployCredits(walletClient, publicClient, {
    ...opts,
    token,
    registry,
    admin,
  })
  for (const coordinator of coordinators) {
    for (const [address, abi] of [[credits, creditsAbi], [registry, registryAbi]] as const) {
      const hash = await walletClient.writeContract({
        address,
        abi,
        functionName: 'grantRole',
        args: [COORDINATOR_ROLE, coordinator],
        account: walletClient.account,
        chain: walletClient.chain,
      })
      await confirm(publicClient, hash, `grantRole(${coordinator})`)
    }
  }

  return { token, registry, credits, deployedToken: opts.token === undefined }
}

async function deploy<const abi extends Abi>(
  walletClient: DeployWallet,
  publicClient: PublicClient,
  abi: abi,
  bytecode: Hex,
  args: ContractConstructorArgs<abi>,
): Promise<Address> {
  const hash = await walletClient.deployContract({
    abi,
    bytecode,
    args,
    account: walletClient.account,
    chain: walletClient.chain,
  } as Parameters<DeployWallet['deployContract']>[0])
  const receipt = await confirm(publicClient, hash, 'deployment')
  if (!receipt.contractAddress) throw new DeployError(`deployment ${hash} created no contract`)
  return getAddress(receipt.contractAddress)
}

async function confirm(publicClient: PublicClient, hash: Hex, what: string) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new DeployError(`${what} ${hash} reverted`)
  return receipt
}
