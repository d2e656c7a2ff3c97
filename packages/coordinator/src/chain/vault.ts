import { createPublicClient, http, type Address, type PublicClient } from 'viem'
import type { CreditsDomainParams } from '@parallelix/contracts'

/** Where the credit vault lives and how closely the coordinator follows it. */
export interface ChainConfig {
  rpcUrl: string
  chainId: number
  /** Address of the ParalleliXAICredits vault. */
  credits: Address
  /** Blocks a log needs, its own included, before it counts (default 2). */
  confirmations?: number
  /** How often the vault's logs are polled (default 2000 ms). */
  pollIntervalMs?: number
  /** First block to scan when nothing was processed yet: the vault's deployment block. */
  fromBlock?: bigint
  /** Timeout of each RPC call (default 10000 ms). */
  rpcTimeoutMs?: number
}

/** The vault as the coordinator uses it: a read client and its EIP-712 domain. */
export interface Vault {
  config: Required<Omit<ChainConfig, 'fromBlock'>> & { fromBlock: bigint }
  client: PublicClient
  domain: CreditsDomainParams
}

export const DEFAULT_CONFIRMATIONS = 2
export const DEFAULT_POLL_INTERVAL_MS = 2_000
export const DEFAULT_RPC_TIMEOUT_MS = 10_000

/** A read-only client of the vault's chain; no request is made until it is used. */
export function connectVault (chain: ChainConfig): Vault {
  const config = {
    ...chain,
    confirmations: Math.max(1, chain.confirmations ?? DEFAULT_CONFIRMATIONS),
    pollIntervalMs: chain.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    rpcTimeoutMs: chain.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS,
    fromBlock: chain.fromBlock ?? 0n
  }
  const client = createPublicClient({
    transport: http(chain.rpcUrl, { timeout: config.rpcTimeoutMs, retryCount: 1 })
  }) as PublicClient
  return { config, client, domain: { chainId: chain.chainId, credits: chain.credits } }
}
