import t from 'tap'
import { AbortError, InvalidArgumentError, ParalleliX, type Batch } from '../src/index.ts'
import { startBatchServer } from './helpers/batch-server.ts'

// parallelMap's own decisions (chunking, order, budget, deadline, abort) checked against a
// loopback server that follows the documented /v1/batch contract with scripted timing and
// costs. The same calls against the real coordinator are in live.test.ts.

const WORDS = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen']
const base = { model: 'stories260K', max_tokens: 8, pollMs: 20 }

t.test('keeps input order across batches of `concurrency` items', async (t) => {
  const server = await startBatchServer({ slots: 2, itemMs: 20, cost: () => 5n })
  t.teardown(server.close)
  const px = new ParalleliX({ baseUrl: server.baseUrl })

  const out = await px.parallelMap(WORDS.slice(0, 7), (w) => `Tell me about ${w}`,
    { ...base, concurrency: 3 })

  t.same(out.results.map((r) => r.output),
    WORDS.slice(0, 7).map((w) => `out:"Tell me about ${w}"`))
  t.same(out.results.map((r) => [r.index, r.input, r.status, r.cost]),
    WORDS.slice(0, 7).map((w, i) => [i, w, 'completed', 5n]))
  t.same(server.batches.map((b) => b.inputs.length), [3, 3, 1])
  t.equal(out.spent, 35n)
  t.equal(out.stopped, null)
})

t.test('sends chat messages as { messages } inputs and the sampling parameters', async (t) => {
  const server = await startBatchServer({ slots: 4, itemMs: 10, cost: () => 1n })
  t.teardown(server.close)

  await new ParalleliX({ baseUrl: server.baseUrl }).parallelMap(['x'],
    (w) => [{ role: 'user', content: w }], { ...base, temperature: 0, seed: 7 })

  t.same(JSON.parse(server.hits[0]?.body ?? '{}'), {
    model: 'stories260K', max_tokens: 8, temperature: 0, seed: 7,
    inputs: [{ messages: [{ role: 'user', content: 'x' }] }]
  })
})

t.test('prices one item first, then submits only what the budget affords', async (t) => {
  const server = await startBatchServer({ slots: 4, itemMs: 10, cost: () => 10n })
  t.teardown(server.close)

  const out = await new ParalleliX({ baseUrl: server.baseUrl }).parallelMap(WORDS, (w) => w,
    { ...base, budget: 35n, concurrency: 8 })

  t.same(server.batches.map((b) => b.inputs.length), [1, 2])
  t.same(out.results.map((r) => r.status), [
    'completed', 'completed', 'completed',
    'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled'
  ])
  t.same(out.results.slice(3).map((r) => r.reason), Array(5).fill('budget'))
  t.equal(out.spent, 30n)
  t.equal(out.stopped, 'budget')
})

t.test('cancels the queued rest of a batch once dearer items would pass the budget', async (t) => {
  const server = await startBatchServer({
    slots: 1, itemMs: 250, cost: (_i, input) => input === 'ant' ? 10n : 40n
  })
  t.teardown(server.close)

  const out = await new ParalleliX({ baseUrl: server.baseUrl }).parallelMap(WORDS, (w) => w,
    { ...base, budget: 50n })

  t.same(out.results.map((r) => r.status).slice(0, 3), ['completed', 'completed', 'cancelled'])
  t.equal(out.spent, 50n)
  t.equal(out.stopped, 'budget')
  t.equal(server.hits.filter((h) => h.url.endsWith('/cancel')).length, 1)
})

t.test('at the deadline cancels what is pending and returns what completed', async (t) => {
  const server = await startBatchServer({ slots: 2, itemMs: 400, cost: () => 1n })
  t.teardown(server.close)
  const started = Date.now()

  const out = await new ParalleliX({ baseUrl: server.baseUrl }).parallelMap(WORDS.slice(0, 6),
    (w) => w, { ...base, deadline: new Date(started + 600) })

  t.same(out.results.map((r) => r.status),
    ['completed', 'completed', 'cancelled', 'cancelled', 'cancelled', 'cancelled'])
  t.same(out.results.slice(2).map((r) => r.reason), Array(4).fill('deadline'))
  t.equal(out.stopped, 'deadline')
  t.ok(Date.now() - started < 1500, `returned ${Date.now() - started} ms after start`)
})

t.test('an abort rejects with AbortError and cancels the batch', async (t) => {
  const server = await startBatchServer({ slots: 1, itemMs: 500, cost: () => 1n })
  t.teardown(server.close)
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 100)

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).parallelMap(WORDS, (w) => w,
    { ...base, signal: controller.signal }).catch((e: unknown) => e)
  await new Promise((resolve) => setTimeout(resolve, 50))

  t.ok(err instanceof AbortError)
  t.notSame(server.batches[0]?.cancelledAt, undefined)
})

t.test('waitBatch reports each polled state until every item is done', async (t) => {
  const server = await startBatchServer({ slots: 1, itemMs: 40, cost: () => 2n })
  t.teardown(server.close)
  const px = new ParalleliX({ baseUrl: server.baseUrl })
  const seen: Batch[] = []

  const created = await px.batch({ model: 'stories260K', inputs: ['a', 'b', 'c'] })
  const final = await px.waitBatch(created.id, { pollMs: 15, onProgress: (b) => seen.push(b) })

  const completed = seen.map((b) => b.counts.completed)
  t.same(completed, [...completed].sort((a, b) => a - b), 'progress never goes back')
  t.equal(seen.at(-1), final)
  t.equal(final.status, 'completed')
  t.same(final.items?.map((i) => [i.index, i.output, i.cost]),
    [[0, 'out:"a"', 2n], [1, 'out:"b"', 2n], [2, 'out:"c"', 2n]])
})

t.test('refuses zero concurrency and a negative budget before sending anything', async (t) => {
  const server = await startBatchServer({ slots: 1, itemMs: 1, cost: () => 1n })
  t.teardown(server.close)
  const px = new ParalleliX({ baseUrl: server.baseUrl })

  const a = await px.parallelMap(WORDS, (w) => w, { ...base, concurrency: 0 })
    .catch((e: unknown) => e)
  const b = await px.parallelMap(WORDS, (w) => w, { ...base, budget: -1n })
    .catch((e: unknown) => e)

  t.ok(a instanceof InvalidArgumentError)
  t.ok(b instanceof InvalidArgumentError)
  t.equal(server.hits.length, 0)
})
