import t from 'tap'
import { hashTypedData, keccak256, recoverAddress, stringToBytes, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  canonicalJson, hashOutput, hashPrompt, hashReceipt, POE_DOMAIN, POE_TYPES, signAdvert,
  signReceipt, verifyAdvert, type AdvertBody, type Receipt
} from '../src/index.ts'

const operator = privateKeyToAccount(generatePrivateKey())
const messages = [{ role: 'user' as const, content: 'Once upon a time' }]
const params = { maxTokens: 16, temperature: 0, topP: 1, stop: [] }

const receipt: Receipt = {
  requestId: 'req_1',
  model: 'stories260K',
  modelHash: '0x270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
  promptHash: hashPrompt({ messages, params }),
  outputHash: hashOutput(', there was a little girl'),
  promptTokens: 7,
  completionTokens: 6,
  node: '12D3KooWabc',
  operator: operator.address,
  startedAt: 1_796_000_000_000,
  finishedAt: 1_796_000_000_050
}

t.test('canonical JSON sorts keys, drops undefined and refuses NaN', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 0, y: 1.5 } }),
    '{"a":[true,null,"x"],"b":1,"d":{"y":1.5,"z":0}}')
  t.throws(() => canonicalJson({ a: Number.NaN }))
})

t.test('the prompt hash commits to messages, parameters and prefill', async (t) => {
  const base = hashPrompt({ messages, params })
  t.equal(base, keccak256(stringToBytes(canonicalJson({ messages, params }))))
  t.equal(hashPrompt({ params, messages }), base, 'member order does not matter')
  t.not(hashPrompt({ messages, params: { ...params, temperature: 0.5 } }), base)
  t.not(hashPrompt({ messages, params, prefill: 'x' }), base)
})

t.test('the output hash is keccak256 of the exact UTF-8 bytes', async (t) => {
  t.equal(hashOutput('héllo'), keccak256(new Uint8Array([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f])))
})

t.test('a signed receipt recovers to its operator from the digest alone', async (t) => {
  const { hash, signature } = await signReceipt(receipt, operator)
  t.equal(hash, hashReceipt(receipt))
  t.equal(hash, hashTypedData({
    domain: { name: 'ParalleliX', version: '1' },
    types: POE_TYPES,
    primaryType: 'Receipt',
    message: { ...receipt, modelHash: receipt.modelHash as Hex, promptHash: receipt.promptHash as Hex,
      outputHash: receipt.outputHash as Hex, operator: operator.address,
      startedAt: BigInt(receipt.startedAt), finishedAt: BigInt(receipt.finishedAt) }
  }))
  t.same(POE_DOMAIN, { name: 'ParalleliX', version: '1' })
  t.equal(await recoverAddress({ hash, signature }), operator.address)
})

t.test('a receipt altered after signing no longer recovers to the operator', async (t) => {
  const { signature } = await signReceipt(receipt, operator)
  const inflated = hashReceipt({ ...receipt, completionTokens: receipt.completionTokens + 1 })
  t.not(await recoverAddress({ hash: inflated, signature }), operator.address)
})

t.test('an advert verifies only for the operator that signed it', async (t) => {
  const body: AdvertBody = {
    v: 1, peerId: '12D3KooWabc', operator: operator.address, addrs: [],
    models: [{ id: 'm', modelHash: receipt.modelHash, contextSize: 512, sizeBytes: 10 }],
    hardware: { gpu: 'cpu', devices: [], cpuCores: 2, threads: 1 },
    slots: { total: 2, free: 2 }, tokensPerSecond: 1000, draining: false, issuedAt: 1, seq: 1
  }
  const advert = await signAdvert(body, operator)
  await verifyAdvert(advert)
  t.pass('a genuine advert verifies')

  const other = privateKeyToAccount(generatePrivateKey())
  const forged = await signAdvert({ ...body, operator: operator.address }, other)
  await t.rejects(verifyAdvert(forged), { name: 'InvalidAdvertSignatureError' })
  await t.rejects(verifyAdvert({ ...advert, body: { ...body, slots: { total: 9, free: 9 } } }),
    { name: 'InvalidAdvertSignatureError' })
})
