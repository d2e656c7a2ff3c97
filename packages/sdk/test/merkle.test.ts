import t from 'tap'
import { keccak256, stringToBytes, type Hex } from 'viem'
import { processMerkleProof, receiptLeaf, verifyMerkleProof } from '../src/index.ts'

// Computed once with @openzeppelin/merkle-tree 1.0.8: StandardMerkleTree.of(hashes.map((h) =>
// [h]), ['bytes32']) over hashes[i] = keccak256('receipt-' + i).
const HASHES = [0, 1, 2, 3, 4].map((i) => keccak256(stringToBytes(`receipt-${i}`)))
const ROOT: Hex = '0x5f0ca2ae9806980083afe62c7101e2cd7eb6439861f496c283e252f3fb6af2ac'
const LEAF_0: Hex = '0x8201ce2114f7cd802428c5c542aae4357c13ff1ebb4e55f36c6250bbcc967102'
const PROOFS: Hex[][] = [
  ['0xc9b73a652237ca6cd192bfed23257c4af881e03383081801aad37299ce20b02f',
    '0x1b452a30272892bf02fe1e134d93eacea97cda267097139bd240b2ef67ac600d'],
  ['0x6b1940b5df438460e10dbe010019c8c9eb6ed5910bd33e8400c71b3db77dc821',
    '0xe92eb98f7aab5c577e183d01fe538e244dc0e661947520afa2bc4c6350b68262',
    '0xccce60cbade6ab2aacf9f91edbac5f8f08a506d6a3694130ba772f28dafa948e'],
  ['0x8201ce2114f7cd802428c5c542aae4357c13ff1ebb4e55f36c6250bbcc967102',
    '0x1b452a30272892bf02fe1e134d93eacea97cda267097139bd240b2ef67ac600d'],
  ['0x22fdca17fac31f2795da3fadb95fb75cb6a14548bba8aa157ec1de35190b78c3',
    '0xe92eb98f7aab5c577e183d01fe538e244dc0e661947520afa2bc4c6350b68262',
    '0xccce60cbade6ab2aacf9f91edbac5f8f08a506d6a3694130ba772f28dafa948e'],
  ['0x5d62471f312993ae8c5df86a0b4d3b6f5b43eef68d3b8b1bdd64d3ba48aaf60e',
    '0xccce60cbade6ab2aacf9f91edbac5f8f08a506d6a3694130ba772f28dafa948e']
]

interface OzTree {
  root: string
  getProof: (index: number) => string[]
}
interface OzModule {
  StandardMerkleTree: { of: (values: string[][], encoding: string[]) => OzTree }
}

// The contracts package has @openzeppelin/merkle-tree; the SDK deliberately does not.
async function loadOz (): Promise<OzModule | undefined> {
  const url = new URL('../../contracts/node_modules/@openzeppelin/merkle-tree/dist/index.js',
    import.meta.url)
  try {
    const mod = await import(url.href) as OzModule & { default?: OzModule }
    return mod.default ?? mod
  } catch {
    return undefined
  }
}

t.test('hashes a receipt hash into the StandardMerkleTree leaf for bytes32', async (t) => {
  t.equal(receiptLeaf(HASHES[0]!), LEAF_0)
})

t.test('walks every proof of a five-leaf tree up to its root', async (t) => {
  HASHES.forEach((hash, i) => {
    t.equal(processMerkleProof(receiptLeaf(hash), PROOFS[i]!), ROOT, `leaf ${i}`)
    t.equal(verifyMerkleProof(PROOFS[i]!, ROOT, receiptLeaf(hash)), true, `leaf ${i} verifies`)
  })
})

t.test('a single-leaf tree has the leaf as root and an empty proof', async (t) => {
  t.equal(verifyMerkleProof([], LEAF_0, receiptLeaf(HASHES[0]!)), true)
})

t.test('refuses a proof for another leaf, a shortened proof or another root', async (t) => {
  t.equal(verifyMerkleProof(PROOFS[0]!, ROOT, receiptLeaf(HASHES[1]!)), false)
  t.equal(verifyMerkleProof(PROOFS[1]!.slice(0, 2), ROOT, receiptLeaf(HASHES[1]!)), false)
  t.equal(verifyMerkleProof(PROOFS[0]!, LEAF_0, receiptLeaf(HASHES[0]!)), false)
  t.equal(verifyMerkleProof(PROOFS[0]!, ROOT, HASHES[0]!), false, 'the raw hash is not a leaf')
})

const oz = await loadOz()

t.test('agrees with @openzeppelin/merkle-tree on trees of 1 to 17 leaves', {
  skip: oz === undefined
    ? '@openzeppelin/merkle-tree is not installed in packages/contracts'
    : false
}, async (t) => {
  if (oz === undefined) return
  for (let size = 1; size <= 17; size++) {
    const hashes = Array.from({ length: size }, (_, i) =>
      keccak256(stringToBytes(`tree-${size}-leaf-${i}`)))
    const tree = oz.StandardMerkleTree.of(hashes.map((h) => [h]), ['bytes32'])
    const ok = hashes.every((h, i) =>
      verifyMerkleProof(tree.getProof(i) as Hex[], tree.root as Hex, receiptLeaf(h)))
    t.equal(ok, true, `every leaf of a ${size}-leaf tree`)
  }
})
