import { creditsAbi, registryAbi } from '@parallelix/contracts'
import {
  BaseError, ContractFunctionRevertedError, createWalletClient, defineChain, http,
  isAddressEqual, zeroAddress, type Address, type Hex, type WalletClient
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
    const registered = await this.vault.client.readContract({
      address: await this.registryAddress(), abi: registryAbi, functionName: 'operatorOf',
      args: [node]
    })
    return registered !== zeroAddress && isAddressEqual(registered, operator)
  }

  /**
   * Slashes `bps` of the operator's stake (bounded by the registry's own per-event limit)
   * for the evidence hashed in `evidenceHash`; resolves once mined. Null when the operator
   * has no stake, or the evidence already backed a slash.
   */
  async slash (operator: Address, bps: bigint, evidenceHash: Hex):
  Promise<{ amount: bigint, txHash: Hex } | null> {
    const address = await this.registryAddress()
    const read = async (functionName: string, args: unknown[]): Promise<unknown> =>
      this.vault.client.readContract({ address, abi: registryAbi, functionName, args } as never)
    const [stake, maxBps, used] = await Promise.all([
      read('stakeOf', [operator]) as Promise<bigint>,
      read('maxSlashBps', []) as Promise<number | bigint>,
      read('isEvidenceUsed', [evidenceHash]) as Promise<boolean>
    ])
    const limit = bps < BigInt(maxBps) ? bps : BigInt(maxBps)
    const amount = stake * limit / 10_000n
    if (amount === 0n || used) return null
    const txHash = await this.wallet.writeContract({
      address, abi: registryAbi, functionName: 'slash', chain: null, account: this.account,
      args: [operator, amount, evidenceHash]
    })
    if (await this.waitFor(txHash, 60_000) === 'reverted') {
      throw new Error(`slash of ${operator} reverted in ${txHash}`)
    }
    return { amount, txHash }
  }

  private async registryAddress (): Promise<Address> {
    this.registry ??= await this.read('registry', []) as Address
    return this.registry
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

  /**
   * Runs `settle` for a batch as a call, without sending it: null when it would succeed,
   * else the revert's message (e.g. a user's revoked authorization, an unknown operator).
   */
  async simulate (batch: Pick<StoredBatch, 'batchId' | 'root' | 'receiptCount' | 'plan'>):
  Promise<string | null> {
    try {
      await this.vault.client.simulateContract({
        address: this.credits, abi: creditsAbi, functionName: 'settle', account: this.account,
        args: [batch.batchId, batch.root, BigInt(batch.receiptCount), batch.plan.debits,
          batch.plan.credits]
      })
      return null
    } catch (err) {
      const revert = revertOf(err)
      if (revert === undefined) throw err
      return revert.data?.errorName ?? revert.shortMessage
    }
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

/** The contract revert behind a viem error, if a revert is what it is. */
export function revertOf (err: unknown): ContractFunctionRevertedError | undefined {
  const revert = err instanceof BaseError
    ? err.walk((e) => e instanceof ContractFunctionRevertedError)
    : null
  return revert instanceof ContractFunctionRevertedError ? revert : undefined
}
