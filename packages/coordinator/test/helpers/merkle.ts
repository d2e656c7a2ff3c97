import { concat, hexToBigInt, keccak256, type Hex } from 'viem'

/** Folds a sorted-pair Merkle proof from `leaf` up to the root it implies. */
export function processProof (proof: Hex[], leaf: Hex): Hex {
  return proof.reduce((node, sibling) => hexToBigInt(node) < hexToBigInt(sibling)
    ? keccak256(concat([node, sibling]))
    : keccak256(concat([sibling, node])), leaf)
}
