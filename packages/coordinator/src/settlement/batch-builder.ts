import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { planSettlement, type SettlementPlan } from '@parallelix/contracts'
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem'

/** A metered receipt waiting to be settled. */
export interface SettlementReceipt {
  requestId: string
  receiptHash: Hex
  account: Address
  operator: Address
  cost: bigint
}

/** Everything `settle` needs, plus the tree that proves each receipt's inclusion. */
export interface BuiltBatch {
  batchId: Hex
  root: Hex
  receipts: SettlementReceipt[]
  plan: SettlementPlan
  /** StandardMerkleTree dump (JSON), from which any receipt's proof is recomputed. */
  tree: string
  /** Leaf index of each receipt, by request id. */
  leaves: Map<string, number>
}

/** Where the batch settles: ids from one vault never collide with another's. */
export interface BatchDomain {
  chainId: number
  credits: Address
}

/**
 * Builds a batch from receipts: a StandardMerkleTree of their hashes, per-user debits and
 * per-operator credits with the vault's share, and an id derived from all of it, so that
 * rebuilding the same receipts yields the same id and the vault refuses it a second time.
 */
export function buildBatch (
  domain: BatchDomain, receipts: SettlementReceipt[], shareBps: bigint
): BuiltBatch {
  const tree = StandardMerkleTree.of(receipts.map((r) => [r.receiptHash]), ['bytes32'])
  const root = tree.root as Hex
  // The tree keeps its values in input order: value i is receipt i, whatever the leaf order.
  const leaves = new Map(receipts.map((r, i) => [r.requestId, i]))
  const plan = planSettlement(receipts.map((r) => ({
    user: r.account, operator: r.operator, amount: r.cost
  })), shareBps)
  const batchId = keccak256(encodeAbiParameters(
    [{ type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }, { type: 'uint256' },
      { type: 'uint256' }, { type: 'uint256' }],
    [BigInt(domain.chainId), domain.credits, root, BigInt(receipts.length), plan.debited,
      BigInt(shareBps)]
  ))
  return { batchId, root, receipts, plan, tree: JSON.stringify(tree.dump()), leaves }
}

/** The proof of leaf `index` from a stored tree dump. */
export function proofFromDump (dump: string, index: number): Hex[] {
  return StandardMerkleTree.load(JSON.parse(dump)).getProof(index) as Hex[]
}
