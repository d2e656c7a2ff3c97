import t from 'tap'
import { ConnectionError, RateLimitError, ServerError, TimeoutError } from '../src/index.ts'
import { isRetryable, parseRetryAfter, retryDelay } from '../src/retry.ts'

const NOW = Date.parse('2026-12-03T12:00:00Z')

t.test('doubles the backoff from 0.5 s up to 8 s, less at most a quarter at random', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 9].map((retry) => retryDelay(retry, undefined, () => 0)),
    [500, 1000, 2000, 4000, 8000, 8000, 8000])
  t.same([0, 1, 4].map((retry) => retryDelay(retry, undefined, () => 1)), [375, 750, 6000])
})

t.test('waits what Retry-After asks up to a minute, and backs off beyond that', async (t) => {
  t.equal(retryDelay(0, 0, () => 0), 0)
  t.equal(retryDelay(3, 1200, () => 0), 1200)
  t.equal(retryDelay(0, 60_000, () => 0), 60_000)
  t.equal(retryDelay(0, 60_001, () => 0), 500)
})

t.test('reads Retry-After as seconds, as an HTTP date, and retry-after-ms first', async (t) => {
  const headers = (init: Record<string, string>): Headers => new Headers(init)
  t.equal(parseRetryAfter(headers({ 'retry-after': '2' }), NOW), 2000)
  t.equal(parseRetryAfter(headers({ 'retry-after': '0.5' }), NOW), 500)
  t.equal(parseRetryAfter(headers({ 'retry-after': 'Thu, 03 Dec 2026 12:00:03 GMT' }), NOW), 3000)
  t.equal(parseRetryAfter(headers({ 'retry-after': 'Thu, 03 Dec 2026 11:00:00 GMT' }), NOW), 0)
  t.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), NOW), 250)
  t.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), NOW), undefined)
  t.equal(parseRetryAfter(headers({}), NOW), undefined)
})

t.test('retries network faults, 408, 409, 429 and 5xx; never quota or client errors', async (t) => {
  const api = (status: number, code: string | null = null): RateLimitError =>
    new RateLimitError({ status, message: 'x', type: 'x', code })
  t.same([
    isRetryable(new ConnectionError('down')), isRetryable(new TimeoutError(1)),
    isRetryable(api(408)), isRetryable(api(409)), isRetryable(api(429)),
    isRetryable(new ServerError({ status: 503, message: 'x', type: 'x', code: null })),
    isRetryable(api(429, 'insufficient_quota')), isRetryable(api(400)), isRetryable(api(404)),
    isRetryable(new ServerError({ status: null, message: 'x', type: 'server_error', code: null })),
    isRetryable(new Error('other'))
  ], [true, true, true, true, true, true, false, false, false, false, false])
})
