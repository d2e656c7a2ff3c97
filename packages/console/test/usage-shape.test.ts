import t from 'tap'
import { chartData } from '../src/developer/usage-chart-data.ts'
import { readUsage } from '../src/developer/usage-shape.ts'

const PRLX = 10n ** 18n

t.test('reads the balance and totals of a usage answer', async (t) => {
  const reading = readUsage({
    balance: (5n * PRLX).toString(), spent: '250', requests: 3, prompt_tokens: 10,
    completion_tokens: 32
  })
  t.equal(reading.balance, 5n * PRLX)
  t.equal(reading.spent, 250n)
  t.equal(reading.requests, 3)
  t.equal(reading.tokens, 42)
})

t.test('reads the account\'s usage and credits as GET /v1/usage sends them', async (t) => {
  const reading = readUsage({
    object: 'usage',
    key: null,
    account_usage: {
      requests: 2, prompt_tokens: 4, completion_tokens: 60, total_tokens: 64,
      credits_spent: '640',
      by_model: [{ model: 'stories260K', requests: 2, total_tokens: 64, credits_spent: '640' }]
    },
    credits: { balance: (7n * PRLX).toString(), spent: '640' }
  })
  t.same([reading.balance, reading.spent, reading.requests, reading.tokens],
    [7n * PRLX, 640n, 2, 64])
  t.same(reading.perModel, [{ model: 'stories260K', requests: 2, tokens: 64, spent: 640n }])
})

t.test('leaves out the figures an answer does not have', async (t) => {
  const reading = readUsage({})
  t.same([reading.balance, reading.spent, reading.requests, reading.tokens],
    [null, null, null, null])
  t.same(reading.series, [])
  t.same(reading.perModel, [])
})

t.test('reads per-model totals keyed by model or as rows naming their model', async (t) => {
  const keyed = readUsage({ per_model: { a: { requests: 2, total_tokens: 7, spent: '9' } } })
  const rows = readUsage({ by_model: [{ model: 'a', requests: 2, total_tokens: 7, cost: '9' }] })
  t.same(keyed.perModel, [{ model: 'a', requests: 2, tokens: 7, spent: 9n }])
  t.same(rows.perModel, keyed.perModel)
})

t.test('reads a daily series in time order whatever its timestamps look like', async (t) => {
  const reading = readUsage({
    daily: [
      { date: '2026-12-02', requests: 1, tokens: 5, spent: '3' },
      { date: '2026-12-01', requests: 4, tokens: 9, spent: '8' }
    ]
  })
  t.same(reading.series.map((p) => [p.at, p.requests, p.tokens, p.spent]), [
    [Date.UTC(2026, 11, 1), 4, 9, 8n],
    [Date.UTC(2026, 11, 2), 1, 5, 3n]
  ])
})

t.test('charts a series over time when there is one', async (t) => {
  const reading = readUsage({ series: [{ t: 1_700_000_000, requests: 2, total_tokens: 11 }],
    per_model: { a: { requests: 2 } } })
  t.same(chartData(reading, 'tokens'),
    { kind: 'time', x: [1_700_000_000], y: [11], label: 'Tokens' })
})

t.test('charts per-model totals as bars when there is no series', async (t) => {
  const reading = readUsage({ per_model: { a: { spent: (PRLX / 4n).toString() }, b: {} } })
  t.same(chartData(reading, 'spent'),
    { kind: 'categories', names: ['a', 'b'], y: [0.25, 0], label: 'Spent (PRLX)' })
})

t.test('has nothing to chart for an answer without series or models', async (t) => {
  t.equal(chartData(readUsage({ balance: '0' }), 'requests'), null)
})
