import { concat, encodeAbiParameters, hexToBigInt, keccak256, type Hex } from 'viem'

/**
 * The leaf a settlement batch commits for a receipt, as OpenZeppelin's StandardMerkleTree
 * builds it for leaf encoding ['bytes32']: keccak256(keccak256(abi.encode(hash))).
 */
export function receiptLeaf (receiptHash: Hex): Hex {
  return keccak256(keccak256(encodeAbiParameters([{ type: 'bytes32' }], [receiptHash])))
}

// Pairs are hashed in ascending order, so a proof needs no left/right flags.
function hashPair (a: Hex, b: Hex): Hex {
  return hexToBigInt(a) < hexToBigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]))
}

/** The root that `proof` leads to from `leaf` (OpenZeppelin MerkleProof.processProof). */
export function processMerkleProof (leaf: Hex, proof: readonly Hex[]): Hex {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), leaf)
}

/** Whether `proof` shows that `leaf` is in the tree with `root`. */
export function verifyMerkleProof (proof: readonly Hex[], root: Hex, leaf: Hex): boolean {
  return hexToBigInt(processMerkleProof(leaf, proof)) === hexToBigInt(root)
}
