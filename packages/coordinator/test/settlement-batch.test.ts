import t from 'tap'
import { keccak256, stringToHex, type Address } from 'viem'
import { buildBatch, proofFromDump } from '../src/settlement/batch-builder.ts'
import { leafOf } from './helpers/settlement-devnet.ts'
import { processProof } from './helpers/merkle.ts'

const DOMAIN = { chainId: 31337, credits: '0x00000000000000000000000000000000000c2ed1' as Address }
const ALICE = '0x00000000000000000000000000000000000a11ce' as Address
const BOB = '0x0000000000000000000000000000000000000b0b' as Address
const OP1 = '0x0000000000000000000000000000000000000001' as Address
const OP2 = '0x0000000000000000000000000000000000000002' as Address

function receipt (i: number, account: Address, operator: Address, cost: bigint) {
  return { requestId: `r${i}`, receiptHash: keccak256(stringToHex(`receipt ${i}`)),
    account, operator, cost }
}

const receipts = [
  receipt(0, ALICE, OP1, 1_000_001n),
  receipt(1, BOB, OP2, 333n),
  receipt(2, ALICE, OP2, 7n)
]

t.test('derives the same batch id from the same receipts', async (t) => {
  const a = buildBatch(DOMAIN, receipts, 8500n)
  const b = buildBatch(DOMAIN, receipts.map((r) => ({ ...r })), 8500n)
  t.equal(a.batchId, b.batchId)
  t.equal(a.root, b.root)
  const other = buildBatch({ ...DOMAIN, chainId: 1 }, receipts, 8500n)
  t.not(other.batchId, a.batchId, 'another chain gives another id')
})

t.test('debits each user and credits operators exactly the vault share', async (t) => {
  const { plan } = buildBatch(DOMAIN, receipts, 8500n)
  t.same(plan.debits, [{ user: ALICE, amount: 1_000_008n }, { user: BOB, amount: 333n }])
  t.equal(plan.debited, 1_000_341n)
  t.equal(plan.credited, 1_000_341n * 8500n / 10_000n)
  t.equal(plan.credits.reduce((s, c) => s + c.amount, 0n), plan.credited)
})

t.test('gives every receipt a proof that leads to the root', async (t) => {
  const batch = buildBatch(DOMAIN, receipts, 8500n)
  for (const r of receipts) {
    const proof = proofFromDump(batch.tree, batch.leaves.get(r.requestId)!)
    t.equal(processProof(proof, leafOf(r.receiptHash)), batch.root, `${r.requestId} is included`)
  }
})
