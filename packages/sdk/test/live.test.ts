import t from 'tap'
import {
  AbortError, BadRequestError, NotFoundError, ParalleliX, verifyPoe, type Batch, type ChatRequest
} from '../src/index.ts'
import { createPublicClient, http } from 'viem'
import type { Devnet } from '../../../scripts/lib/devnet.ts'
import {
  devnetApiKey, devnetChain, startTestDevnet
} from './helpers/devnet.ts'

const STORY = (content: string, max_tokens = 24): ChatRequest => ({
  model: 'stories260K', messages: [{ role: 'user', content }], max_tokens, temperature: 0
})
const PROMPTS = ['Once upon a time', 'The cat', 'Lily went to', 'Tom had a', 'One day', 'The sun']

const devnet: Devnet = await startTestDevnet('sdk-live')
t.teardown(devnet.stop)
const apiKey = devnetApiKey(devnet)
const px = new ParalleliX({
  baseUrl: devnet.apiBase, maxRetries: 1, ...(apiKey === undefined ? {} : { apiKey })
})

t.test('lists the devnet model with the nodes and slots that serve it', async (t) => {
  const models = await px.models()
  t.same(models.map((m) => [m.id, m.parallelix.nodes, m.parallelix.slots_total]),
    [['stories260K', 2, 4]])
})

t.test('lists both operator nodes with their operators', async (t) => {
  const nodes = await px.nodes()
  t.same(nodes.map((n) => n.peer_id).sort(), devnet.nodes.map((n) => n.peerId).sort())
  t.same(nodes.map((n) => n.operator).sort(), devnet.nodes.map((n) => n.operator).sort())
})

t.test('chat returns the text, usage and a PoE signed by the serving operator', async (t) => {
  const result = await px.chat(STORY('Once upon a time'))

  t.equal(result.finish_reason, 'length')
  t.equal(result.usage.completion_tokens, 24)
  t.equal(result.usage.total_tokens, result.usage.prompt_tokens + 24)
  t.equal(result.parallelix.receipt.completionTokens, 24)
  t.equal(result.parallelix.receipt.model, 'stories260K')
  t.equal(result.id, `chatcmpl-${result.parallelix.request_id}`)
  t.equal(await verifyPoe(result.parallelix), result.parallelix.operator)
  t.ok(devnet.nodes.some((n) => n.peerId === result.parallelix.node), 'served by a devnet node')
  t.match(result.text, /\S/)
})

t.test('stream chunks join to exactly the chat text at temperature 0', async (t) => {
  const request = STORY('The little dog', 32)
  const whole = await px.chat(request)
  const stream = px.stream(request)
  const chunks: string[] = []

  for await (const text of stream) chunks.push(text)

  t.ok(chunks.length > 1, `arrived in ${chunks.length} chunks`)
  t.equal(chunks.join(''), whole.text)
  t.equal(stream.final?.text, whole.text)
  t.same(stream.final?.usage, whole.usage)
  t.equal(stream.final?.finish_reason, whole.finish_reason)
  t.equal(stream.final?.parallelix.receipt.outputHash, whole.parallelix.receipt.outputHash)
  t.equal(await verifyPoe(stream.final!.parallelix), stream.final?.parallelix.operator)
  t.equal(await stream.done, stream.final)
})

t.test('an aborted stream stops within moments and rejects with AbortError', async (t) => {
  const controller = new AbortController()
  const stream = px.stream({ ...STORY('Once upon a time', 1500), temperature: 1, seed: 3 },
    { signal: controller.signal })
  let chunks = 0
  let abortedAt = 0

  const err = await (async () => {
    for await (const _text of stream) {
      chunks++
      if (chunks === 2) {
        abortedAt = performance.now()
        controller.abort()
      }
    }
  })().catch((e: unknown) => e)
  const took = performance.now() - abortedAt

  t.ok(err instanceof AbortError, `rejected with ${String(err)}`)
  t.equal((await stream.done.catch((e: unknown) => e) as Error).name, 'AbortError')
  t.equal(chunks, 2, 'no chunk arrives after the abort')
  t.ok(took < 250, `rejected ${took.toFixed(0)} ms after the abort`)
})

t.test('an unknown model rejects with NotFoundError code model_not_found', async (t) => {
  const request = { ...STORY('Hello'), model: 'no-such-model' }

  const chatErr = await px.chat(request).catch((e: unknown) => e)
  const streamErr = await px.stream(request).done.catch((e: unknown) => e)

  for (const err of [chatErr, streamErr]) {
    t.ok(err instanceof NotFoundError)
    t.match(err, { status: 404, code: 'model_not_found', param: 'model',
      type: 'invalid_request_error' })
  }
})

t.test('an out-of-range parameter rejects with BadRequestError naming it', async (t) => {
  const err = await px.chat({ ...STORY('Hello'), temperature: 5 }).catch((e: unknown) => e)
  t.ok(err instanceof BadRequestError)
  t.match(err, { status: 400, param: 'temperature' })
})

t.test('a batch reports its progress and completes every input', async (t) => {
  const seen: Batch[] = []

  const created = await px.batch({
    model: 'stories260K', max_tokens: 8, temperature: 0, inputs: PROMPTS.slice(0, 4)
  })
  const final = await px.waitBatch(created.id, { pollMs: 100, onProgress: (b) => seen.push(b) })

  t.match(created, { object: 'batch', counts: { total: 4 } })
  t.match(created.id, /^batch_/)
  const done = seen.map((b) => b.counts.completed)
  t.same(done, [...done].sort((a, b) => a - b), 'completed count never goes back')
  t.same(final.counts, { total: 4, queued: 0, running: 0, completed: 4, failed: 0, cancelled: 0 })
  t.same(final.items?.map((i) => i.index), [0, 1, 2, 3])
  for (const item of final.items ?? []) {
    t.equal(await verifyPoe(item.parallelix!), item.parallelix?.operator)
  }
})

t.test('parallelMap returns every result in input order with cost and receipt', async (t) => {
  const expected: string[] = []
  for (const p of PROMPTS) expected.push((await px.chat(STORY(p, 8))).text)

  const out = await px.parallelMap(PROMPTS, (p) => p,
    { model: 'stories260K', max_tokens: 8, temperature: 0, concurrency: 4, pollMs: 100 })

  t.same(out.results.map((r) => r.output), expected)
  t.same(out.results.map((r) => r.input), PROMPTS)
  t.same(out.results.map((r) => r.status), PROMPTS.map(() => 'completed'))
  t.equal(out.spent, out.results.reduce((sum, r) => sum + (r.cost ?? 0n), 0n))
  t.same(out.results.map((r) => r.parallelix?.receipt.completionTokens), PROMPTS.map(() => 8))
})

t.test('usage reports the requests and tokens this client spent', async (t) => {
  const before = await px.usage()

  const result = await px.chat(STORY('Once upon a time', 8))
  const after = await px.usage()

  t.equal(after.requests, before.requests + 1)
  t.equal(after.completion_tokens, before.completion_tokens + 8)
  t.equal(after.spent - before.spent, result.cost ?? 0n)
})

t.test('a completion receipt fetched by request id verifies', async (t) => {
  const result = await px.chat(STORY('Once upon a time', 8))

  const record = await px.receipt(result.parallelix.request_id, { verify: true })

  t.same(record.receipt, result.parallelix.receipt)
  t.same(record.poe, result.parallelix.poe)
  t.equal(record.verification?.signer, result.parallelix.operator)
  t.equal(record.verification?.inclusion, record.proof === null ? 'pending' : 'verified')
  const chain = devnetChain(devnet)
  if (record.proof === null || chain === undefined) return
  const onchain = await px.receipt(result.parallelix.request_id, {
    verify: true,
    onchain: { client: createPublicClient({ transport: http(chain.rpcUrl) }), address: chain.vault }
  })
  t.equal(onchain.verification?.onchain, 'verified')
})
