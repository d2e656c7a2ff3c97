import { isAddressEqual, type Address, type Hex, type PublicClient } from 'viem'
import { asArray, asHex, asRecord, asString } from './decode.ts'
import { ReceiptVerificationError } from './errors.ts'
import { receiptLeaf, verifyMerkleProof } from './merkle.ts'
import { hashReceipt, recoverReceiptSigner } from './poe.ts'
import { raceSignal } from './signal.ts'
import type { RequestOptions, Transport } from './transport.ts'
import {
  parsePoe, parseReceipt, type ParalleliXInfo, type ProofOfExecution, type Receipt
} from './wire.ts'

/** The settlement batch a receipt was committed in. */
export interface ReceiptBatch {
  id: Hex
  root: Hex
  tx_hash: Hex | null
  status: string
}

/** GET /receipts/{requestId}: the receipt, its PoE, and its batch and proof once settled. */
export interface ReceiptRecord {
  receipt: Receipt
  poe: ProofOfExecution
  batch: ReceiptBatch | null
  proof: Hex[] | null
}

/** What verification established; failures throw ReceiptVerificationError instead. */
export interface ReceiptVerification {
  /** The operator whose key signed the receipt. */
  signer: Address
  /** 'pending' until the receipt is in a settlement batch with a proof. */
  inclusion: 'verified' | 'pending'
  /** 'verified' when the batch root was read from the chain and matched. */
  onchain: 'verified' | 'not_checked'
}

/** The settlement contract's root lookup, as its ABI declares it. */
export const batchRootAbi = [{
  type: 'function',
  name: 'batchRoot',
  stateMutability: 'view',
  inputs: [{ name: 'batchId', type: 'bytes32' }],
  outputs: [{ name: '', type: 'bytes32' }]
}] as const

/** Where to read batch roots on chain: a viem public client and the settlement contract. */
export interface OnchainRoots {
  client: Pick<PublicClient, 'readContract'>
  address: Address
}

export interface VerifyReceiptOptions {
  onchain?: OnchainRoots
  signal?: AbortSignal
}

export function parseReceiptRecord (body: unknown): ReceiptRecord {
  const r = asRecord(body, 'receipt record')
  const b = r.batch == null ? null : asRecord(r.batch, 'batch')
  return {
    receipt: parseReceipt(r.receipt),
    poe: parsePoe(r.poe),
    batch: b === null
      ? null
      : {
          id: asHex(b.id, 'batch.id'),
          root: asHex(b.root, 'batch.root'),
          tx_hash: b.tx_hash == null ? null : asHex(b.tx_hash, 'batch.tx_hash'),
          status: asString(b.status, 'batch.status')
        },
    proof: r.proof == null
      ? null
      : asArray(r.proof, 'proof').map((p, i) => asHex(p, `proof[${i}]`))
  }
}

export async function fetchReceipt (transport: Transport, requestId: string,
  options: RequestOptions = {}): Promise<ReceiptRecord> {
  const path = `/receipts/${encodeURIComponent(requestId)}`
  return parseReceiptRecord(await transport.json('GET', path, undefined, options))
}

/** Checks that a PoE's hash is its receipt's EIP-712 digest, signed by the receipt's operator. */
export async function verifyPoe (
  info: Pick<ParalleliXInfo, 'poe' | 'receipt'>
): Promise<Address> {
  const { poe, receipt } = info
  if (hashReceipt(receipt).toLowerCase() !== poe.hash.toLowerCase()) {
    throw new ReceiptVerificationError('receipt_hash_mismatch',
      `The PoE hash ${poe.hash} is not the digest of receipt ${receipt.requestId}`)
  }
  const signer = await recoverReceiptSigner(poe.hash, poe.signature)
  if (!isAddressEqual(signer, receipt.operator)) {
    throw new ReceiptVerificationError('receipt_signer_mismatch',
      `Receipt ${receipt.requestId} was signed by ${signer}, not its operator ${receipt.operator}`)
  }
  return signer
}

/**
 * Verifies a receipt record: its PoE, then (once batched) its Merkle proof against the batch
 * root, then (with `onchain`) that root against the settlement contract.
 */
export async function verifyReceipt (record: ReceiptRecord,
  options: VerifyReceiptOptions = {}): Promise<ReceiptVerification> {
  const signer = await verifyPoe(record)
  const { batch, proof } = record
  if (batch === null || proof === null) {
    return { signer, inclusion: 'pending', onchain: 'not_checked' }
  }
  if (!verifyMerkleProof(proof, batch.root, receiptLeaf(record.poe.hash))) {
    throw new ReceiptVerificationError('receipt_proof_invalid',
      `The proof does not lead from receipt ${record.receipt.requestId} to root ${batch.root}`)
  }
  if (options.onchain === undefined) {
    return { signer, inclusion: 'verified', onchain: 'not_checked' }
  }

  const { client, address } = options.onchain
  const root = await raceSignal(client.readContract({
    address, abi: batchRootAbi, functionName: 'batchRoot', args: [batch.id]
  }), options.signal)
  if (BigInt(root) === 0n) {
    throw new ReceiptVerificationError('receipt_root_not_onchain',
      `Batch ${batch.id} has no root on chain at ${address}`)
  }
  if (BigInt(root) !== BigInt(batch.root)) {
    throw new ReceiptVerificationError('receipt_root_mismatch',
      `Batch ${batch.id} has root ${root} on chain, not ${batch.root}`)
  }
  return { signer, inclusion: 'verified', onchain: 'verified' }
}
