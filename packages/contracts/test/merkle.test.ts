import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import t from 'tap'
import { type Hex, keccak256, parseEther, toHex } from 'viem'
import { startChain } from './helpers/chain.ts'
import { deployFixture, RECEIPT_LEAF, use } from './helpers/fixture.ts'

const PORT = 8608

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const fx = await deployFixture(chain)
const { credits, users, operators } = fx
const [alice, bob] = users
const [op1, op2] = operators
await fx.register(op1, 'peer-op1')
await fx.register(op2, 'peer-op2')
for (const user of [alice, bob]) {
  await fx.fund(user, parseEther('100'))
  await fx.authorize(user, { cap: parseEther('100') })
}
const entries = Array.from({ length: 25 }, (_, i) =>
  use(i % 2 ? alice : bob, i % 3 ? op1 : op2, parseEther('0.01') * BigInt(i + 1)),
)
const batch = await fx.settle(entries)
const other = await fx.settle([use(alice, op1, 1n)])

t.test('posts the receipts root the coordinator built', async (t) => {
  t.equal(await credits.read.batchRoot([batch.batchId]), batch.root)
  t.equal(batch.tree.root, batch.root)
})

t.test('verifies every receipt of the batch against the root on chain', async (t) => {
  for (const [i, value] of batch.tree.entries()) {
    const leaf = batch.tree.leafHash(value) as Hex
    const proof = batch.tree.getProof(i) as Hex[]

    t.equal(await credits.read.verifyReceipt([batch.batchId, leaf, proof]), true, `receipt ${i}`)
  }
})

t.test('agrees with an independent tree rebuilt from the receipts', async (t) => {
  const values = batch.tree.dump().values.map((v) => v.value)
  const rebuilt = StandardMerkleTree.of(values, [...RECEIPT_LEAF])
  const [, value] = [...rebuilt.entries()][7]!

  const proof = rebuilt.getProof(value) as Hex[]
  const leaf = rebuilt.leafHash(value) as Hex

  t.equal(await credits.read.verifyReceipt([batch.batchId, leaf, proof]), true)
  t.equal(StandardMerkleTree.verify(batch.root, [...RECEIPT_LEAF], value, proof), true)
})

t.test('rejects a tampered receipt, a wrong proof, another batch, an unknown batch', async (t) => {
  const [index, value] = [...batch.tree.entries()][3]!
  const proof = batch.tree.getProof(index) as Hex[]
  const [requestId, user, operator, amount] = value as [Hex, Hex, Hex, bigint]
  const tampered = [requestId, user, operator, amount + 1n]
  const tamperedLeaf = batch.tree.leafHash(tampered) as Hex
  const leaf = batch.tree.leafHash(value) as Hex
  const wrongProof = batch.tree.getProof(4) as Hex[]

  t.equal(await credits.read.verifyReceipt([batch.batchId, tamperedLeaf, proof]), false)
  t.equal(await credits.read.verifyReceipt([batch.batchId, leaf, wrongProof]), false)
  t.equal(await credits.read.verifyReceipt([other.batchId, leaf, proof]), false)
  t.equal(await credits.read.verifyReceipt([keccak256(toHex('never')), leaf, proof]), false)
})
