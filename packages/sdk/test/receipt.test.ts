import t from 'tap'
import { keccak256, stringToBytes, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { hashReceipt as protocolHashReceipt } from '../../protocol/src/index.ts'
import {
  hashReceipt, ParalleliX, POE_DOMAIN, POE_TYPES, ReceiptVerificationError, verifyPoe,
  verifyReceipt, type OnchainRoots, type Receipt, type ReceiptRecord
} from '../src/index.ts'
import { json, startLocalServer } from './helpers/local-server.ts'

// Well-known development keys (anvil accounts 0 and 1); never funded anywhere that matters.
const OPERATOR = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const STRANGER = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')

const RECEIPT: Receipt = {
  requestId: 'vector-1',
  model: 'stories260K',
  modelHash: keccak256(stringToBytes('model')),
  promptHash: keccak256(stringToBytes('prompt')),
  outputHash: keccak256(stringToBytes('output')),
  promptTokens: 7,
  completionTokens: 20,
  node: '12D3KooWvector',
  operator: OPERATOR.address,
  startedAt: 1796304813204,
  finishedAt: 1796304813253
}
const HASH: Hex = '0xd8803bd3c971b0076b77d9510279b5b8416b6a0a753b2c330d7b7b1b5aebcc81'
// Computed once with @openzeppelin/merkle-tree: StandardMerkleTree.of([[HASH],
// [keccak256('receipt-1')], [keccak256('receipt-2')]], ['bytes32']), proof of leaf 0.
const ROOT: Hex = '0xa4d7ad1d3180a21dc53055a7ebd156405b5a7b8b354b2f2341a691227cd65145'
const PROOF: Hex[] = [
  '0x22fdca17fac31f2795da3fadb95fb75cb6a14548bba8aa157ec1de35190b78c3',
  '0xc9b73a652237ca6cd192bfed23257c4af881e03383081801aad37299ce20b02f'
]
const BATCH_ID: Hex = keccak256(stringToBytes('batch-1'))

async function sign (receipt: Receipt, account = OPERATOR): Promise<Hex> {
  return await account.signTypedData({
    domain: POE_DOMAIN,
    types: POE_TYPES,
    primaryType: 'Receipt',
    message: { ...receipt, startedAt: BigInt(receipt.startedAt),
      finishedAt: BigInt(receipt.finishedAt) }
  })
}

async function settled (): Promise<ReceiptRecord> {
  return {
    receipt: RECEIPT,
    poe: { hash: HASH, signature: await sign(RECEIPT) },
    batch: { id: BATCH_ID, root: ROOT, tx_hash: null, status: 'settled' },
    proof: PROOF
  }
}

function chainAnswering (root: Hex, calls: unknown[] = []): OnchainRoots {
  const client = {
    readContract: async (args: unknown) => {
      calls.push(args)
      return root
    }
  } as unknown as OnchainRoots['client']
  return { client, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
}

async function failure (promise: Promise<unknown>): Promise<string> {
  const err = await promise.catch((e: unknown) => e)
  return err instanceof ReceiptVerificationError ? err.code : `not refused: ${String(err)}`
}

t.test('hashes a receipt exactly as @parallelix/protocol does', async (t) => {
  t.equal(hashReceipt(RECEIPT), HASH)
  t.equal(protocolHashReceipt(RECEIPT), HASH)
})

t.test('names the operator who signed a receipt', async (t) => {
  const poe = { hash: HASH, signature: await sign(RECEIPT) }
  const signer = await verifyPoe({ receipt: RECEIPT, poe })
  t.equal(signer, OPERATOR.address)
})

t.test('refuses a receipt edited after it was signed', async (t) => {
  const poe = { hash: HASH, signature: await sign(RECEIPT) }
  t.equal(await failure(verifyPoe({ receipt: { ...RECEIPT, completionTokens: 2000 }, poe })),
    'receipt_hash_mismatch')
})

t.test('refuses a receipt signed by a key other than its operator', async (t) => {
  const poe = { hash: HASH, signature: await sign(RECEIPT, STRANGER) }
  t.equal(await failure(verifyPoe({ receipt: RECEIPT, poe })), 'receipt_signer_mismatch')
})

t.test('proves a settled receipt into its batch root', async (t) => {
  t.same(await verifyReceipt(await settled()),
    { signer: OPERATOR.address, inclusion: 'verified', onchain: 'not_checked' })
})

t.test('reports inclusion as pending before the receipt is batched', async (t) => {
  const record = { ...(await settled()), batch: null, proof: null }
  t.same(await verifyReceipt(record),
    { signer: OPERATOR.address, inclusion: 'pending', onchain: 'not_checked' })
})

t.test('refuses a proof that does not lead to the batch root', async (t) => {
  const record = await settled()
  t.equal(await failure(verifyReceipt({ ...record, proof: [...PROOF].reverse() })),
    'receipt_proof_invalid')
})

t.test('reads the batch root from the settlement contract and compares it', async (t) => {
  const calls: unknown[] = []
  const verification = await verifyReceipt(await settled(),
    { onchain: chainAnswering(ROOT, calls) })

  t.equal(verification.onchain, 'verified')
  t.match(calls, [{ functionName: 'batchRoot', args: [BATCH_ID] }])
  t.equal(await failure(verifyReceipt(await settled(), {
    onchain: chainAnswering(`0x${'00'.repeat(32)}`)
  })), 'receipt_root_not_onchain')
  t.equal(await failure(verifyReceipt(await settled(), {
    onchain: chainAnswering(keccak256(stringToBytes('other')))
  })), 'receipt_root_mismatch')
})

t.test('fetches a receipt by request id and verifies it on request', async (t) => {
  const record = await settled()
  const server = await startLocalServer([json(200, record)])
  t.teardown(server.close)

  const result = await new ParalleliX({ baseUrl: server.baseUrl })
    .receipt('vector-1', { verify: true })

  t.equal(server.hits[0]?.url, '/v1/receipts/vector-1')
  t.same(result.receipt, RECEIPT)
  t.equal(result.verification?.inclusion, 'verified')
})
