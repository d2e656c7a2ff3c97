import t from 'tap'
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { getLlama, LlamaCompletion } from 'node-llama-cpp'
import { recoverAddress, type Hex } from 'viem'
import { hashOutput, hashReceipt, hashPrompt } from '@parallelix/protocol'
import { ROOT, startDevnet, type Devnet } from '../lib/devnet.ts'

const MODEL = join(ROOT, '..', 'shared', 'models', 'stories260K.gguf')
const PROMPT = 'Once upon a time'
const MAX_TOKENS = 48

let devnet: Devnet
let stateDir: string
let client: OpenAI
let direct: { text: string, promptTokens: number }
let directCat: string

/** What node-llama-cpp produces from the same model, prompt and thread count, no network. */
async function generateDirectly (): Promise<{ text: string, promptTokens: number, cat: string }> {
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath: MODEL })
  const context = await model.createContext({ threads: 1, contextSize: 512 })
  const sequence = context.getSequence()
  const completion = new LlamaCompletion({ contextSequence: sequence })
  const text = await completion.generateCompletion(PROMPT, {
    maxTokens: MAX_TOKENS, temperature: 0
  })
  const promptTokens = sequence.contextTokens.length - MAX_TOKENS + 1
  sequence.dispose()
  const catSequence = context.getSequence()
  const cat = await new LlamaCompletion({ contextSequence: catSequence })
    .generateCompletion('The cat', { maxTokens: 24, temperature: 0 })
  await context.dispose()
  await model.dispose()
  return { text, promptTokens, cat }
}

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-spine-'))
  const generated = await generateDirectly()
  direct = generated
  directCat = generated.cat
  devnet = await startDevnet({
    nodes: 2, model: MODEL, port: 0, stateDir, threads: 1, slots: 2, contextSize: 512
  })
  client = new OpenAI({ baseURL: devnet.apiBase, apiKey: devnet.apiKey, maxRetries: 0 })
})

t.teardown(async () => {
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

t.test('writes devnet.json with the API base and every node', async (t) => {
  const file = JSON.parse(await readFile(join(stateDir, 'devnet.json'), 'utf8'))
  t.equal(file.apiBase, devnet.apiBase)
  t.match(file.apiBase, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
  t.equal(file.nodes.length, 2)
  t.match(file.apiKey, /^pk_live_/)
  t.equal(file.rpcUrl, devnet.chain.anvil.rpcUrl)
  t.equal(file.contracts.credits, devnet.chain.contracts.credits)
  const byIndex = [...devnet.nodes].sort((a, b) => a.index - b.index)
  t.same(file.nodes.map((n: { index: number, pid: number, dataDir: string }) =>
    [n.index, n.pid, n.dataDir]), byIndex.map((n) => [n.index, n.pid, n.dataDir]),
  'every node by its index, with its pid and data dir')
  t.same(byIndex.map((n) => n.dataDir), [join(stateDir, 'node-0'), join(stateDir, 'node-1')])
})

t.test('lists the model with the nodes and slots that serve it', async (t) => {
  const models = await client.models.list()
  t.equal(models.data.length, 1)
  const model = models.data[0] as unknown as { id: string, parallelix: Record<string, unknown> }
  t.equal(model.id, 'stories260K')
  t.equal(model.parallelix.nodes, 2)
  t.equal(model.parallelix.slots_total, 4)
  t.same(model.parallelix.model_hashes,
    ['0x270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d'])
})

t.test('a chat completion equals node-llama-cpp run directly, with a verifiable PoE', async (t) => {
  const res = await client.chat.completions.create({
    model: 'stories260K',
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: MAX_TOKENS,
    temperature: 0
  })
  const text = res.choices[0]?.message.content ?? ''
  t.equal(text, direct.text)
  t.equal(res.choices[0]?.finish_reason, 'length')
  t.same(res.usage, {
    prompt_tokens: direct.promptTokens, completion_tokens: MAX_TOKENS,
    total_tokens: direct.promptTokens + MAX_TOKENS
  })

  const px = (res as unknown as { parallelix: {
    node: string, operator: Hex, poe: { hash: Hex, signature: Hex },
    receipt: Parameters<typeof hashReceipt>[0]
  } }).parallelix
  t.ok(devnet.nodes.some((n) => n.peerId === px.node), 'served by a devnet node')
  t.equal(px.operator, devnet.nodes.find((n) => n.peerId === px.node)?.operator)
  t.equal(await recoverAddress(px.poe), px.operator, 'the PoE recovers to the operator')
  t.equal(px.poe.hash, hashReceipt(px.receipt))
  t.equal(px.receipt.outputHash, hashOutput(text))
  t.equal(px.receipt.promptHash, hashPrompt({
    messages: [{ role: 'user', content: PROMPT }],
    params: { maxTokens: MAX_TOKENS, temperature: 0, topP: 1, stop: [] }
  }))
  t.equal(px.receipt.completionTokens, MAX_TOKENS)
})

t.test('a streamed completion delivers the same text, then usage and the PoE', async (t) => {
  const stream = await client.chat.completions.create({
    model: 'stories260K',
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: MAX_TOKENS,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true }
  })
  let text = ''
  let chunks = 0
  let finish: string | null | undefined
  let usage: OpenAI.CompletionUsage | undefined | null
  let poe: { hash: Hex, signature: Hex } | undefined
  let operator: Hex | undefined
  for await (const chunk of stream) {
    chunks++
    text += chunk.choices[0]?.delta.content ?? ''
    finish = chunk.choices[0]?.finish_reason ?? finish
    usage = chunk.usage ?? usage
    const px = (chunk as unknown as { parallelix?: { poe: typeof poe, operator: Hex } }).parallelix
    if (px !== undefined) { poe = px.poe; operator = px.operator }
  }
  t.equal(text, direct.text)
  t.ok(chunks > 10, `streamed in ${chunks} chunks`)
  t.equal(finish, 'length')
  t.equal(usage?.completion_tokens, MAX_TOKENS)
  t.equal(usage?.prompt_tokens, direct.promptTokens)
  if (poe === undefined) throw new Error('no PoE in the stream')
  t.equal(await recoverAddress(poe), operator)
})

t.test('concurrent requests each get the answer to their own prompt', async (t) => {
  const ask = async (content: string, maxTokens: number) => (await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content }], max_tokens: maxTokens,
    temperature: 0
  })).choices[0]?.message.content
  const answers = await Promise.all([
    ask(PROMPT, MAX_TOKENS), ask('The cat', 24), ask(PROMPT, MAX_TOKENS), ask('The cat', 24),
    ask('The cat', 24), ask(PROMPT, MAX_TOKENS)
  ])
  t.same(answers, [direct.text, directCat, direct.text, directCat, directCat, direct.text])
})

t.test('an unknown model gets OpenAI\'s 404 model_not_found error', async (t) => {
  const err = await client.chat.completions.create({
    model: 'gpt-7', messages: [{ role: 'user', content: 'hi' }]
  }).catch((e: unknown) => e)
  t.ok(err instanceof OpenAI.NotFoundError)
  t.equal((err as InstanceType<typeof OpenAI.NotFoundError>).status, 404)
  t.equal((err as InstanceType<typeof OpenAI.NotFoundError>).code, 'model_not_found')
})

t.test('malformed requests get 400 with the offending parameter', async (t) => {
  const err = await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: 'hi' }], temperature: 7
  }).catch((e: unknown) => e) as InstanceType<typeof OpenAI.BadRequestError>
  t.ok(err instanceof OpenAI.BadRequestError)
  t.equal(err.param, 'temperature')

  const raw = await fetch(`${devnet.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
    body: '{"model":'
  })
  t.equal(raw.status, 400)
  const body = await raw.json() as { error: { type: string, code: string } }
  t.same([body.error.type, body.error.code], ['invalid_request_error', 'invalid_json'],
    'a body that is not JSON says so in our words, not Fastify\'s')

  const plain = await fetch(`${devnet.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml', authorization: `Bearer ${devnet.apiKey}` },
    body: '<hello/>'
  })
  const unsupported = await plain.json() as { error: { code: string } }
  t.same([plain.status, unsupported.error.code], [415, 'unsupported_media_type'],
    'a body of a type the API does not take gets 415')
})

t.test('batch items are metered to the batch owner like chat requests', async (t) => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` }
  const usage = async () => (await (await fetch(`${devnet.apiBase}/usage`, { headers })).json() as {
    account_usage: { credits_spent: string, requests: number }
  }).account_usage
  const before = await usage()
  const created = await (await fetch(`${devnet.apiBase}/batch`, {
    method: 'POST', headers,
    body: JSON.stringify({ model: 'stories260K', max_tokens: 8, temperature: 0,
      inputs: ['Once upon a time', 'The cat', 'The dog'] })
  })).json() as { id: string }
  let batch: { status: string, items: Array<{ status: string, parallelix?: { cost?: string } }> }
  const deadline = Date.now() + 60_000
  do {
    await new Promise((resolve) => setTimeout(resolve, 200))
    batch = await (await fetch(`${devnet.apiBase}/batch/${created.id}`, { headers })).json() as
      typeof batch
  } while (batch.items.some((i) => i.status === 'queued' || i.status === 'running') &&
    Date.now() < deadline)

  t.same(batch.items.map((i) => i.status), ['completed', 'completed', 'completed'])
  const costs = batch.items.map((i) => BigInt(i.parallelix?.cost ?? '0'))
  t.ok(costs.every((c) => c > 0n), 'every item carries its cost')
  const after = await usage()
  t.equal(after.requests - before.requests, 3)
  t.equal(BigInt(after.credits_spent) - BigInt(before.credits_spent),
    costs.reduce((a, b) => a + b, 0n), 'the account paid exactly the items\' costs')
})

t.test('a node that leaves disappears from /v1/models and /v1/nodes', async (t) => {
  const leaving = devnet.nodes[1]!
  await leaving.process.stop('SIGTERM')
  const deadline = Date.now() + 10_000
  let nodes: Array<{ peer_id: string }> = []
  while (Date.now() < deadline) {
    const res = await fetch(`${devnet.apiBase}/nodes`, {
      headers: { authorization: `Bearer ${devnet.apiKey}` }
    })
    nodes = (await res.json() as { data: typeof nodes }).data
    if (nodes.length === 1) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.same(nodes.map((n) => n.peer_id), [devnet.nodes[0]!.peerId])
  const models = await client.models.list()
  const model = models.data[0] as unknown as { parallelix: { nodes: number } }
  t.equal(model.parallelix.nodes, 1)

  const res = await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: PROMPT }], max_tokens: 8,
    temperature: 0
  })
  t.equal((res as unknown as { parallelix: { node: string } }).parallelix.node,
    devnet.nodes[0]!.peerId, 'the remaining node serves')
})
