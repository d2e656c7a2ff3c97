import t from 'tap'
import { InvalidResponseError, ParalleliX } from '../src/index.ts'
import { json, startLocalServer } from './helpers/local-server.ts'

t.test('reads flat usage totals with amounts as bigints', async (t) => {
  const server = await startLocalServer([json(200, {
    requests: 3, prompt_tokens: 21, completion_tokens: 60, spent: '81000000000000',
    reserved: '0', balance: '999919000000000000',
    per_model: { stories260K: { requests: 3, prompt_tokens: 21, completion_tokens: 60,
      spent: '81000000000000' } }
  })])
  t.teardown(server.close)

  const usage = await new ParalleliX({ baseUrl: server.baseUrl }).usage()

  t.same(usage, {
    requests: 3, prompt_tokens: 21, completion_tokens: 60, spent: 81000000000000n,
    reserved: 0n, balance: 999919000000000000n,
    per_model: { stories260K: { requests: 3, prompt_tokens: 21, completion_tokens: 60,
      spent: 81000000000000n } }
  })
})

t.test('reads the account_usage and credits shape the coordinator serves', async (t) => {
  const totals = { requests: 2, prompt_tokens: 14, completion_tokens: 16, total_tokens: 30,
    credits_spent: '30' }
  const server = await startLocalServer([json(200, {
    object: 'usage', account: '0xabc', from: 0, to: 1, key: null,
    account_usage: { ...totals, by_model: [{ model: 'stories260K', ...totals }] },
    credits: { balance: '1000', reserved: '5', held: '0', unsettled: '30', available: '965',
      spent: '30' },
    authorization: null
  })])
  t.teardown(server.close)

  const usage = await new ParalleliX({ baseUrl: server.baseUrl }).usage()

  t.same(usage, {
    requests: 2, prompt_tokens: 14, completion_tokens: 16, spent: 30n, reserved: 5n,
    balance: 1000n, available: 965n,
    per_model: { stories260K: { requests: 2, prompt_tokens: 14, completion_tokens: 16,
      spent: 30n } }
  })
})

t.test('refuses an amount that is not a decimal string', async (t) => {
  const server = await startLocalServer([json(200, {
    requests: 1, prompt_tokens: 1, completion_tokens: 1, spent: '1.5', reserved: '0',
    balance: '0'
  })])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).usage().catch((e: unknown) => e)

  t.ok(err instanceof InvalidResponseError)
  t.match((err as Error).message, /usage\.spent/)
})
