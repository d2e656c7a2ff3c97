import {
  createPublicClient, createWalletClient, defineChain, http, type Address, type Hex
} from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { earningsAbi } from './vault-abi.ts'

/** Where the operator's earnings are held. */
export interface VaultLocation {
  rpcUrl: string
  chainId: number
  credits: Address
}

/** The operator has nothing to claim on the vault. */
export class NothingToClaimError extends Error {
  static override readonly name = 'NothingToClaimError'
  override readonly name = 'NothingToClaimError'
  readonly code = 'nothing_to_claim'
}

export interface ClaimResult {
  operator: Address
  to: Address
  amount: bigint
  txHash: Hex
}

/** Claims the operator's settled earnings from the vault to `to` (the operator by default). */
export async function claimEarnings (
  vault: VaultLocation, operator: PrivateKeyAccount, to: Address = operator.address,
  timeoutMs = 60_000
): Promise<ClaimResult> {
  const chain = defineChain({
    id: vault.chainId,
    name: `chain ${vault.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [vault.rpcUrl] } }
  })
  const transport = http(vault.rpcUrl, { timeout: timeoutMs })
  const client = createPublicClient({ chain, transport })
  const wallet = createWalletClient({ chain, transport, account: operator })

  const amount = await client.readContract({
    address: vault.credits, abi: earningsAbi, functionName: 'earningsOf',
    args: [operator.address]
  })
  if (amount === 0n) throw new NothingToClaimError(`${operator.address} has nothing to claim`)
  const txHash = await wallet.writeContract({
    address: vault.credits, abi: earningsAbi, functionName: 'claimEarnings', args: [to]
  })
  const receipt = await client.waitForTransactionReceipt({ hash: txHash, timeout: timeoutMs })
  if (receipt.status !== 'success') throw new Error(`claimEarnings reverted in ${txHash}`)
  return { operator: operator.address, to, amount, txHash }
}
