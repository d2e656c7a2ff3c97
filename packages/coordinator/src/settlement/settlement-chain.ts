import { creditsAbi, registryAbi } from '@parallelix/contracts'
import {
  createWalletClient, defineChain, http, isAddressEqual, zeroAddress, type Address, type Hex,
  type WalletClient
} from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { StoredAuthorization } from '../ledger/spending-authorizations.ts'
import type { Vault } from '../chain/vault.ts'
import type { StoredBatch } from './store.ts'

/** The vault as settlement uses it: reads, plus writes signed with the coordinator key. */
export class SettlementChain {
  private readonly wallet: WalletClient
  private registry?: Address

  constructor (readonly vault: Vault, readonly account: PrivateKeyAccount) {
    const { chainId, rpcUrl, rpcTimeoutMs } = vault.config
    const chain = defineChain({
      id: chainId,
      name: `chain ${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } }
    })
    this.wallet = createWalletClient({
      account, chain, transport: http(rpcUrl, { timeout: rpcTimeoutMs, retryCount: 1 })
    })
  }

  get credits (): Address {
    return this.vault.domain.credits
  }

  async shareBps (): Promise<bigint> {
    return BigInt(await this.read('shareBps', []) as number | bigint)
  }

  /** The root the vault stored for `batchId`; zero when it never settled. */
  async batchRoot (batchId: Hex): Promise<Hex> {
    return await this.read('batchRoot', [batchId]) as Hex
  }

  async earnings (operator: Address): Promise<{ claimable: bigint, totalEarned: bigint }> {
    const [claimable, totalEarned] = await Promise.all([
      this.read('earningsOf', [operator]), this.read('totalEarned', [operator])
    ])
    return { claimable: claimable as bigint, totalEarned: totalEarned as bigint }
  }

  /** Whether `operator` is the one registered on chain under libp2p peer id `node`. */
  async operatorServes (node: string, operator: Address): Promise<boolean> {
    this.registry ??= await this.read('registry', []) as Address
    const registered = await this.vault.client.readContract({
      address: this.registry, abi: registryAbi, functionName: 'operatorOf', args: [node]
    })
    return registered !== zeroAddress && isAddressEqual(registered, operator)
  }

  /**
   * Submits a user's spending authorization unless the vault already consumed its nonce;
   * returns the transaction hash, or null when there was nothing to submit.
   */
  async ensureAuthorized (auth: StoredAuthorization): Promise<Hex | null> {
    const next = await this.read('authorizationNonce', [auth.user]) as bigint
    if (next > auth.nonce) return null
    const hash = await this.wallet.writeContract({
      address: this.credits, abi: creditsAbi, functionName: 'authorize', chain: null,
      account: this.account,
      args: [auth.user, auth.coordinator, auth.cap, auth.expiry, auth.nonce, auth.signature]
    })
    await this.waitFor(hash, 60_000)
    return hash
  }

  /** Sends `settle` for a stored batch; resolves with the hash once the node accepted it. */
  async settle (batch: StoredBatch): Promise<Hex> {
    return this.wallet.writeContract({
      address: this.credits, abi: creditsAbi, functionName: 'settle', chain: null,
      account: this.account,
      args: [batch.batchId, batch.root, BigInt(batch.receiptCount), batch.plan.debits,
        batch.plan.credits]
    })
  }

  /** Whether the node knows a transaction (pending or mined). */
  async knows (hash: Hex): Promise<boolean> {
    try {
      await this.vault.client.getTransaction({ hash })
      return true
    } catch {
      return false
    }
  }

  /** Waits for a transaction's receipt with the vault's confirmations; 'reverted' or not. */
  async waitFor (hash: Hex, timeoutMs: number): Promise<'success' | 'reverted'> {
    const receipt = await this.vault.client.waitForTransactionReceipt({
      hash, confirmations: this.vault.config.confirmations, timeout: timeoutMs,
      pollingInterval: 250
    })
    return receipt.status
  }

  private async read (functionName: string, args: unknown[]): Promise<unknown> {
    return this.vault.client.readContract({
      address: this.credits, abi: creditsAbi, functionName, args
    } as never)
  }
}
