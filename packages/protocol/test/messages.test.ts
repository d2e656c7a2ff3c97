import t from 'tap'
import {
  advertSchema, decodeMessage, encodeMessage, errorFrameSchema, finalFrameSchema,
  FrameTooLargeError, inferRequestSchema, InvalidMessageError, nodeFrameSchema, tokenFrameSchema,
  cancelFrameSchema, type FinalFrame, type InferRequest
} from '../src/index.ts'

const request: InferRequest = {
  type: 'request',
  requestId: 'req_1',
  model: 'stories260K',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  params: { maxTokens: 16, temperature: 0, topP: 1, stop: ['\n\n'] }
}

const hash = `0x${'ab'.repeat(32)}`
const final: FinalFrame = {
  type: 'final',
  finishReason: 'length',
  usage: { promptTokens: 7, completionTokens: 16 },
  receipt: {
    requestId: 'req_1', model: 'stories260K', modelHash: hash, promptHash: hash,
    outputHash: hash, promptTokens: 7, completionTokens: 16, node: '12D3KooWabc',
    operator: `0x${'11'.repeat(20)}`, startedAt: 1, finishedAt: 2
  },
  hash,
  signature: `0x${'22'.repeat(65)}`
}

t.test('round-trips every wire message through encode and decode', async (t) => {
  const cases = [
    [request, inferRequestSchema],
    [{ type: 'token', text: ' there', tokens: 1 }, tokenFrameSchema],
    [final, finalFrameSchema],
    [{ type: 'error', code: 'node_busy', message: 'busy', retryable: true }, errorFrameSchema],
    [{ type: 'cancel' }, cancelFrameSchema]
  ] as const
  for (const [message, schema] of cases) {
    t.same(decodeMessage(encodeMessage(message, 1 << 20), schema, 1 << 20), message)
  }
  t.same(decodeMessage(encodeMessage(final, 1 << 20), nodeFrameSchema, 1 << 20), final)
})

t.test('refuses a frame that is not JSON', async (t) => {
  const err = t.throws(() => decodeMessage(new TextEncoder().encode('{nope'), tokenFrameSchema, 99))
  t.equal((err as Error).name, 'InvalidMessageError')
  t.ok(err instanceof InvalidMessageError)
})

t.test('refuses invalid UTF-8', async (t) => {
  const err = t.throws(() => decodeMessage(new Uint8Array([0x22, 0xff, 0x22]), tokenFrameSchema, 99))
  t.equal((err as Error).name, 'InvalidMessageError')
})

t.test('names the field of a frame that breaks its schema', async (t) => {
  const bad = { ...request, params: { ...request.params, temperature: 9 } }
  const err = t.throws(() => decodeMessage(encodeMessage(bad, 1 << 20), inferRequestSchema, 1 << 20))
  t.match((err as Error).message, /params\.temperature/)
})

t.test('refuses unknown fields and unknown frame types', async (t) => {
  t.throws(() => decodeMessage(encodeMessage({ ...request, extra: 1 }, 1e6), inferRequestSchema, 1e6),
    { name: 'InvalidMessageError' })
  t.throws(() => decodeMessage(encodeMessage({ type: 'tok' }, 1e6), nodeFrameSchema, 1e6),
    { name: 'InvalidMessageError' })
})

t.test('refuses oversized frames in both directions', async (t) => {
  const big = { ...request, messages: [{ role: 'user', content: 'x'.repeat(2000) }] }
  const enc = t.throws(() => encodeMessage(big, 1000))
  t.ok(enc instanceof FrameTooLargeError)
  t.equal((enc as FrameTooLargeError).code, 'frame_too_large')
  const bytes = encodeMessage(big, 1e6)
  t.throws(() => decodeMessage(bytes, inferRequestSchema, 1000), { name: 'FrameTooLargeError' })
})

t.test('refuses an advert whose free slots exceed its total', async (t) => {
  const advert = {
    body: {
      v: 1, peerId: 'p', operator: `0x${'11'.repeat(20)}`, addrs: [],
      models: [{ id: 'm', modelHash: hash, contextSize: 512, sizeBytes: 1 }],
      hardware: { gpu: 'cpu', devices: [], cpuCores: 2, threads: 1 },
      slots: { total: 1, free: 2 }, tokensPerSecond: 1, draining: false, issuedAt: 1, seq: 0
    },
    signature: `0x${'22'.repeat(65)}`
  }
  t.throws(() => decodeMessage(encodeMessage(advert, 1e6), advertSchema, 1e6),
    { name: 'InvalidMessageError' })
  advert.body.slots.free = 1
  t.equal(decodeMessage(encodeMessage(advert, 1e6), advertSchema, 1e6).body.slots.free, 1)
})
