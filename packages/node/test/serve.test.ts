import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { recoverAddress, type Hex } from 'viem'
import {
  hashOutput, hashPrompt, hashReceipt, INFER_PROTOCOL, MAX_REQUEST_BYTES,
  MAX_RESPONSE_FRAME_BYTES, nodeFrameSchema, type InferRequest, type NodeFrame
} from '@parallelix/protocol'
import { createPeer, FramedStream, type Peer } from '@parallelix/protocol/mesh'
import { startNode, type RunningNode } from '../src/index.ts'

const modelPath = process.env.PARALLELIX_TEST_MODEL ?? join(import.meta.dirname, '../../../../shared/models/stories260K.gguf')

let node: RunningNode
let client: Peer
let dir: string

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-serve-'))
  node = await startNode({
    dataDir: dir, modelPath, modelId: 'stories260K', bootstrap: [], threads: 1, slots: 2,
    contextSize: 256, tokensPerSecond: 1000
  })
  client = await createPeer({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
})

t.teardown(async () => {
  await client.stop()
  await node.stop({ graceMs: 0 })
  await rm(dir, { recursive: true, force: true })
})

const request = (over: Partial<InferRequest> = {}): InferRequest => ({
  type: 'request',
  requestId: `req_${Math.random().toString(36).slice(2)}`,
  model: 'stories260K',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  params: { maxTokens: 24, temperature: 0, topP: 1, stop: [] },
  ...over
})

async function open () {
  const stream = await client.dialProtocol(node.peer.getMultiaddrs(), INFER_PROTOCOL)
  return new FramedStream(stream, {
    maxInbound: MAX_RESPONSE_FRAME_BYTES, maxOutbound: MAX_REQUEST_BYTES * 4
  })
}

async function readAll (framed: FramedStream): Promise<NodeFrame[]> {
  const frames: NodeFrame[] = []
  for (;;) {
    const frame = await framed.read(nodeFrameSchema)
    frames.push(frame)
    if (frame.type !== 'token') return frames
  }
}

t.test('streams tokens and ends with a receipt signed by the operator', async (t) => {
  const req = request()
  const framed = await open()
  await framed.write(req)
  const frames = await readAll(framed)
  const tokens = frames.filter((f) => f.type === 'token')
  const final = frames.at(-1)
  if (final?.type !== 'final') throw new Error('no final frame')

  const text = tokens.map((f) => f.text).join('')
  t.ok(text.startsWith(', there was'), `text reads as a story: ${text}`)
  t.equal(tokens.reduce((n, f) => n + f.tokens, 0), 24)
  t.equal(final.finishReason, 'length')
  t.same(final.usage, { promptTokens: 7, completionTokens: 24 })
  t.equal(final.receipt.outputHash, hashOutput(text))
  t.equal(final.receipt.promptHash, hashPrompt(req))
  t.equal(final.receipt.modelHash,
    '0x270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d')
  t.equal(final.receipt.node, node.peerId)
  t.equal(final.hash, hashReceipt(final.receipt))
  t.equal(await recoverAddress({ hash: final.hash as Hex, signature: final.signature as Hex }),
    node.operator.address)
})

t.test('answers a request for another model with a model_not_found error frame', async (t) => {
  const framed = await open()
  await framed.write(request({ model: 'llama-70b' }))
  const [frame] = await readAll(framed)
  t.equal(frame?.type, 'error')
  t.equal(frame?.type === 'error' ? frame.code : '', 'model_not_found')
})

t.test('a cancel frame stops generation and still yields a receipt for the partial text',
  async (t) => {
    const framed = await open()
    await framed.write(request({ params: { maxTokens: 200, temperature: 0, topP: 1, stop: [] } }))
    const first = await framed.read(nodeFrameSchema)
    t.equal(first.type, 'token')
    await framed.write({ type: 'cancel' })
    const rest = await readAll(framed)
    const final = rest.at(-1)
    if (final?.type !== 'final') throw new Error('no final frame')
    t.equal(final.finishReason, 'cancelled')
    t.ok(final.usage.completionTokens < 200, `stopped after ${final.usage.completionTokens}`)
    const text = [first, ...rest].filter((f) => f.type === 'token').map((f) => f.text).join('')
    t.equal(final.receipt.outputHash, hashOutput(text))
  })

t.test('resets the stream on a malformed request and keeps serving', async (t) => {
  const stream = await client.dialProtocol(node.peer.getMultiaddrs(), INFER_PROTOCOL)
  const garbage = new TextEncoder().encode('{"type":"request","oops":')
  stream.send(new Uint8Array([garbage.byteLength, ...garbage]))
  const framed0 = new FramedStream(stream, { maxInbound: 1 << 16, maxOutbound: 1 << 16 })
  await t.rejects(framed0.read(nodeFrameSchema), 'the node resets the stream instead of answering')

  const framed = await open()
  await framed.write(request())
  const frames = await readAll(framed)
  t.equal(frames.at(-1)?.type, 'final', 'the node still serves the next request')
})

t.test('refuses an oversized request frame before reading its body', async (t) => {
  const framed = await open()
  const huge = request({ messages: [{ role: 'user', content: 'x'.repeat(MAX_REQUEST_BYTES + 10) }] })
  await framed.write(huge).catch(() => {})
  await t.rejects(framed.read(nodeFrameSchema))
  t.equal(node.engine.freeSlots, 2, 'no slot is left held')
})

t.test('refuses work that does not fit its context', async (t) => {
  const framed = await open()
  await framed.write(request({ params: { maxTokens: 1000, temperature: 0, topP: 1, stop: [] } }))
  const [frame] = await readAll(framed)
  t.equal(frame?.type === 'error' ? frame.code : frame?.type, 'context_length_exceeded')
})
