import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { hashReceipt, recoverReceiptSigner } from '@parallelix/protocol'
import { createPublicClient, http, isAddressEqual, type Address, type Hex } from 'viem'
import { fetchReceiptProof, type ReceiptProof } from './proof-client.ts'
import { readReceiptLog, type LoggedReceipt } from './receipt-log.ts'
import { batchRootAbi } from './vault-abi.ts'
import type { VaultLocation } from './claim.ts'

/** How many receipts are checked at once against the coordinator and the chain. */
const CONCURRENCY = 8

export interface VerifyOptions {
  /** The node's receipt log (`<data-dir>/receipts.jsonl`). */
  logPath: string
  /** This node's operator: every logged receipt must be signed by it. */
  operator: Address
  /** The coordinator's API base, ending in /v1. */
  coordinator: string
  /** The vault whose batch roots are the ground truth. */
  vault: VaultLocation
  concurrency?: number
  /** Per HTTP or RPC call. */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface RefusedReceipt {
  request_id: string
  receipt_hash: Hex
  status: 'refused' | 'withheld' | 'quarantined'
  reason: string | null
}

export interface InvalidReceipt {
  receipt_hash: Hex
  why: string
}

/** What `parallelix-node receipts verify` prints. */
export interface VerifySummary {
  operator: Address
  total: number
  /** In a confirmed batch whose proof verifies against the root the vault holds. */
  settled: number
  /** Not settled yet: pending, held, or in a batch that is not confirmed. */
  pending: number
  refused: RefusedReceipt[]
  /** Receipt hashes the coordinator has not collected. */
  unknown: Hex[]
  invalid: InvalidReceipt[]
}

/** The vault on another chain than the one configured. */
export class ChainMismatchError extends Error {
  static override readonly name = 'ChainMismatchError'
  override readonly name = 'ChainMismatchError'
  readonly code = 'chain_mismatch'
}

type Outcome =
  | { kind: 'settled' }
  | { kind: 'pending' }
  | { kind: 'refused', entry: RefusedReceipt }
  | { kind: 'unknown', hash: Hex }
  | { kind: 'invalid', entry: InvalidReceipt }

/**
 * Checks every receipt in the node's log: signed by this operator, known to the coordinator,
 * and once in a confirmed batch, proven by a Merkle proof against the root the vault holds.
 */
export async function verifyReceipts (options: VerifyOptions): Promise<VerifySummary> {
  const { vault, signal } = options
  const timeoutMs = options.timeoutMs ?? 15_000
  const client = createPublicClient({ transport: http(vault.rpcUrl, { timeout: timeoutMs }) })
  const chainId = await client.getChainId()
  if (chainId !== vault.chainId) {
    throw new ChainMismatchError(`${vault.rpcUrl} is chain ${chainId}, not ${vault.chainId}`)
  }

  const roots = new Map<Hex, Promise<Hex>>()
  const chainRoot = async (batchId: Hex): Promise<Hex> => {
    let root = roots.get(batchId)
    if (root === undefined) {
      root = client.readContract({
        address: vault.credits, abi: batchRootAbi, functionName: 'batchRoot', args: [batchId]
      })
      roots.set(batchId, root)
    }
    return (await root).toLowerCase() as Hex
  }
  const check = async (entry: LoggedReceipt): Promise<Outcome> => {
    const local = await checkSignature(entry, options.operator)
    if (local !== undefined) return { kind: 'invalid', entry: local }
    const hash = entry.hash as Hex
    const proof = await fetchReceiptProof(options.coordinator, hash, { signal, timeoutMs })
    if (proof === undefined) return { kind: 'unknown', hash }
    return classify(hash, proof, chainRoot)
  }

  const outcomes = await mapBounded(readReceiptLog(options.logPath, { signal }), check,
    options.concurrency ?? CONCURRENCY)

  const summary: VerifySummary = {
    operator: options.operator, total: outcomes.length, settled: 0, pending: 0,
    refused: [], unknown: [], invalid: []
  }
  for (const outcome of outcomes) {
    if (outcome.kind === 'settled') summary.settled++
    else if (outcome.kind === 'pending') summary.pending++
    else if (outcome.kind === 'refused') summary.refused.push(outcome.entry)
    else if (outcome.kind === 'unknown') summary.unknown.push(outcome.hash)
    else summary.invalid.push(outcome.entry)
  }
  return summary
}

/** The receipt must hash to the logged digest and be signed by this operator. */
async function checkSignature (
  entry: LoggedReceipt, operator: Address
): Promise<InvalidReceipt | undefined> {
  const hash = entry.hash as Hex
  if (hashReceipt(entry.receipt) !== hash) {
    return { receipt_hash: hash, why: 'the logged hash is not the receipt\'s EIP-712 digest' }
  }
  let signer: Address
  try {
    signer = await recoverReceiptSigner(hash, entry.signature as Hex)
  } catch (err) {
    return { receipt_hash: hash, why: `the signature does not recover: ${(err as Error).message}` }
  }
  if (!isAddressEqual(signer, operator)) {
    return { receipt_hash: hash, why: `signed by ${signer}, not by the operator ${operator}` }
  }
  return undefined
}

async function classify (
  hash: Hex, proof: ReceiptProof, chainRoot: (batchId: Hex) => Promise<Hex>
): Promise<Outcome> {
  if (proof.receipt_hash !== hash.toLowerCase()) {
    return { kind: 'invalid',
      entry: { receipt_hash: hash, why: `the coordinator answered for ${proof.receipt_hash}` } }
  }
  const { status, batch } = proof
  if (status === 'refused' || status === 'withheld' || status === 'quarantined') {
    return { kind: 'refused', entry: {
      request_id: proof.request_id, receipt_hash: hash, status, reason: proof.reason
    } }
  }
  if (status !== 'batched' || batch === null || batch.status !== 'confirmed') {
    return { kind: 'pending' }
  }

  const invalid = (why: string): Outcome =>
    ({ kind: 'invalid', entry: { receipt_hash: hash, why } })
  if (proof.proof === null) return invalid(`batch ${batch.id} is confirmed but has no proof`)
  if (!verifyProof(batch.root, hash, proof.proof)) {
    return invalid(`the proof does not lead to the root ${batch.root} of batch ${batch.id}`)
  }
  const onChain = await chainRoot(batch.id)
  if (onChain !== batch.root) {
    return invalid(`the vault holds root ${onChain} for batch ${batch.id}, not ${batch.root}`)
  }
  return { kind: 'settled' }
}

function verifyProof (root: Hex, hash: Hex, proof: Hex[]): boolean {
  try {
    return StandardMerkleTree.verify(root, ['bytes32'], [hash], proof)
  } catch {
    return false
  }
}

/** Runs `fn` on each item with at most `limit` at once; results keep the items' order. */
async function mapBounded<T, R> (
  items: AsyncIterable<T>, fn: (item: T) => Promise<R>, limit: number
): Promise<R[]> {
  const iterator = items[Symbol.asyncIterator]()
  const results: R[] = []
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed) {
      const next = await iterator.next()
      if (next.done === true) return
      const index = results.length
      results.push(undefined as R)
      try {
        results[index] = await fn(next.value)
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, limit) }, worker))
  } finally {
    await iterator.return?.()
  }
  return results
}
