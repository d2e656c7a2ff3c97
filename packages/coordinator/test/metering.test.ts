import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { startNode, type RunningNode } from '@parallelix/node'
import { hashReceipt, recoverReceiptSigner, type FinalFrame } from '@parallelix/protocol'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import { auditLedger } from '../src/ledger/audit.ts'
import { promptTokenBound } from '../src/ledger/metering.ts'
import { provisionDemoAccount } from '../../../scripts/lib/demo-account.ts'
import { startCreditChain, type CreditChain } from './helpers/credit-chain.ts'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'

const MODEL_PATH = process.env.PARALLELIX_TEST_MODEL ??
  join(import.meta.dirname, '../../../../shared/models/stories260K.gguf')
const MODEL = 'stories260K'
const RATE = 1_000n
const MESSAGES = [{ role: 'user' as const, content: 'Once upon a time' }]
/** Reserved per request of max_tokens 8: (prompt bound + 8) × rate. */
const MAX_COST_8 = (BigInt(promptTokenBound(MESSAGES)) + 8n) * RATE

let chain: CreditChain
let dir: string
let c: RunningCoordinator
let node: RunningNode
let users = 0

t.before(async () => {
  chain = await startCreditChain(8683)
  dir = await mkdtemp(join(tmpdir(), 'px-metering-'))
  c = await startCoordinator({
    dataDir: join(dir, 'coordinator'),
    httpPort: 0,
    chain: chain.chainConfig(1),
    coordinatorKey: chain.coordinatorKey,
    rates: { [MODEL]: RATE },
    // Liveness pings are another area's and, under 200 concurrent requests on a loaded
    // machine, have evicted the only node; this file is about what requests are charged.
    liveness: false,
    // Settlement refunds charges whose receipts will not settle (this file's node is not a
    // registered operator); what is charged, before any of that, is what this file checks.
    settlement: false,
    queueTimeoutMs: 120_000,
    maxQueue: 1_000
  })
  node = await startNode({
    dataDir: join(dir, 'node'), modelPath: MODEL_PATH, modelId: MODEL,
    bootstrap: c.multiaddrs, threads: 1, slots: 2, contextSize: 2048, tokensPerSecond: 1000
  })
  for (let i = 0; i < 300; i++) {
    const models = await (await fetch(`${c.apiBase}/models`)).json() as { data: unknown[] }
    if (models.data.length > 0) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the node never joined the pool')
})
t.teardown(async () => {
  await node?.stop({ graceMs: 0 })
  await c?.stop()
  await chain?.stop()
  await rm(dir, { recursive: true, force: true })
})

/** A fresh user with `deposit` credited and a spending authorization of `cap`. */
async function user (deposit: bigint, cap = deposit): Promise<string> {
  const userKey = chain.userKeys[users++]!
  if (deposit > 0n) await chain.mint(privateKeyToAccount(userKey).address, deposit)
  const demo = await provisionDemoAccount({
    apiBase: c.apiBase, rpcUrl: chain.anvil.rpcUrl, chainId: chain.anvil.chainId,
    contracts: { prlx: chain.deployment.token, credits: chain.deployment.credits },
    userKey, coordinatorAddress: chain.coordinatorAddress, depositAmount: deposit, cap
  })
  return demo.apiKey
}

async function usage (apiKey: string) {
  const res = await fetch(`${c.apiBase}/usage`, { headers: { authorization: `Bearer ${apiKey}` } })
  return await res.json() as Record<string, any>
}

async function chat (apiKey: string, body: Record<string, unknown>) {
  const res = await fetch(`${c.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: MESSAGES, temperature: 0, ...body })
  })
  return { status: res.status, body: await res.json() as Record<string, any> }
}

t.test('a completion reports its usage and cost, and exactly that is charged', async (t) => {
  const key = await user(10n ** 9n)
  const { status, body } = await chat(key, { max_tokens: 8 })
  t.equal(status, 200)
  const { prompt_tokens: prompt, completion_tokens: completion } = body.usage
  t.equal(prompt, 7)
  t.equal(completion, 8)
  t.equal(body.parallelix.cost, String(BigInt(prompt + completion) * RATE))

  const report = await usage(key)
  t.equal(report.credits.spent, body.parallelix.cost)
  t.equal(report.credits.unsettled, body.parallelix.cost)
  t.equal(report.credits.reserved, '0')
  t.equal(report.credits.available, String(10n ** 9n - BigInt(body.parallelix.cost)))
  t.same(report.key.by_model, [{ model: MODEL, requests: 1, prompt_tokens: 7,
    completion_tokens: 8, total_tokens: 15, credits_spent: body.parallelix.cost }])
  t.equal(report.account_usage.credits_spent, body.parallelix.cost)

  const record = c.accounts?.ledger.request(report.account, body.parallelix.request_id)
  t.equal(record?.status, 'completed')
  t.equal(record?.reserved, MAX_COST_8)
  t.equal((record?.receipt as FinalFrame[])[0]?.hash, body.parallelix.poe.hash,
    'the receipt behind the charge is kept for settlement')
})

t.test('a stream reports its usage and cost at the end, through the OpenAI client',
  async (t) => {
    const key = await user(10n ** 9n)
    const client = new OpenAI({ baseURL: c.apiBase, apiKey: key })
    const stream = await client.chat.completions.create({
      model: MODEL, messages: MESSAGES, max_tokens: 12, temperature: 0, stream: true,
      stream_options: { include_usage: true }
    })
    let last: any
    for await (const chunk of stream) last = chunk
    t.equal(last.usage.completion_tokens, 12)
    t.equal(last.parallelix.cost,
      String(BigInt(last.usage.prompt_tokens + last.usage.completion_tokens) * RATE))
    t.equal((await usage(key)).credits.spent, last.parallelix.cost)
  })

t.test('refuses with 402 insufficient_quota before anything is dispatched', async (t) => {
  const broke = await user(0n, 10n ** 9n)
  const refused = await chat(broke, { max_tokens: 8, model: 'no-such-model' })
  t.equal(refused.status, 402)
  t.equal(refused.body.error.type, 'insufficient_quota')
  t.equal(refused.body.error.code, 'insufficient_quota')
  t.equal(refused.body.error.param, null)
  t.equal((await usage(broke)).account_usage.requests, 0)
})

t.test('200 concurrent requests against credit for 20: never overdrawn, charged exactly',
  async (t) => {
    const deposit = 20n * MAX_COST_8
    const key = await user(deposit)
    const results = await Promise.all(Array.from({ length: 200 },
      async () => chat(key, { max_tokens: 8 })))

    const served = results.filter((r) => r.status === 200)
    const refused = results.filter((r) => r.status !== 200)
    t.ok(served.length >= 20, `${served.length} served: at least what the deposit reserves`)
    const reasons = [...new Set(refused.map((r) => `${r.status} ${r.body.error?.code}`))]
    t.same(reasons, ['402 insufficient_quota'],
      `the ${refused.length} others were refused for credit`)
    t.equal(served.length + refused.length, 200)

    const charged = served.reduce((sum, r) => sum + BigInt(r.body.parallelix.cost), 0n)
    t.ok(charged <= deposit, 'what was served never exceeds the deposit')
    const { credits } = await usage(key)
    t.same(credits, {
      balance: String(deposit), reserved: '0', held: '0', unsettled: String(charged),
      available: String(deposit - charged), spent: String(charged)
    })
    t.same(auditLedger(c.database), [])
  })

t.test('a client that hangs up mid-stream pays only for what the node produced until then',
  async (t) => {
    const key = await user(10n ** 9n)
    const { account } = await usage(key)
    const controller = new AbortController()
    const res = await fetch(`${c.apiBase}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL, messages: MESSAGES, max_tokens: 1900, temperature: 0, stream: true
      }),
      signal: controller.signal
    })
    const requestId = res.headers.get('x-request-id')!
    let chunks = 0
    const reader = res.body!.getReader()
    for (let buffer = ''; chunks < 10;) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`the stream ended after ${chunks} chunks: ${buffer}`)
      buffer += Buffer.from(value).toString()
      const events = buffer.split('\n\n')
      buffer = events.pop()!
      chunks += events.filter((e) => e.includes('"content":"') && !e.includes('"content":""'))
        .length
    }
    controller.abort()

    let record = c.accounts?.ledger.request(account, requestId)
    for (let i = 0; record === undefined && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      record = c.accounts?.ledger.request(account, requestId)
    }
    t.equal(record?.status, 'cancelled')
    const [receipt] = record?.receipt as FinalFrame[]
    t.equal(receipt?.finishReason, 'cancelled', 'the node sent a receipt after the cancel frame')
    t.equal(receipt?.hash, hashReceipt(receipt!.receipt))
    t.equal(await recoverReceiptSigner(receipt!.hash as Hex, receipt!.signature as Hex),
      node.operator.address, 'signed by the operator')

    const { promptTokens, completionTokens } = receipt!.usage
    t.ok(completionTokens >= chunks, `${completionTokens} tokens cover the ${chunks} received`)
    t.ok(completionTokens < 1900, 'generation stopped early')
    t.equal(record?.completionTokens, completionTokens)
    t.equal(record?.cost, BigInt(promptTokens + completionTokens) * RATE,
      'the charge is exactly the receipt')
    const { credits } = await usage(key)
    t.equal(credits.reserved, '0', 'the rest of the reservation is released')
    t.equal(credits.spent, String(record?.cost))
  })
