import t from 'tap'
import {
  AbortError, AuthenticationError, BadRequestError, ConnectionError, InsufficientQuotaError,
  ParalleliX, RateLimitError, ServerError, TimeoutError
} from '../src/index.ts'
import { apiError, json, MODELS_BODY, startLocalServer } from './helpers/local-server.ts'

const ok = json(200, MODELS_BODY)

const gaps = (hits: Array<{ at: number }>): number[] =>
  hits.slice(1).map((h, i) => h.at - (hits[i]?.at ?? 0))

t.test('waits the Retry-After a 429 names, then returns the answer', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted', { 'retry-after': '1' }), ok
  ])
  t.teardown(server.close)
  const client = new ParalleliX({ baseUrl: server.baseUrl })

  const models = await client.models()

  t.same(models.map((m) => m.id), ['stories260K'])
  t.equal(server.hits.length, 2)
  const [gap] = gaps(server.hits)
  t.ok(gap !== undefined && gap >= 1000 && gap < 1800, `waited ${gap} ms, expected about 1000`)
})

t.test('honours retry-after-ms over retry-after', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted',
      { 'retry-after-ms': '150', 'retry-after': '30' }),
    ok
  ])
  t.teardown(server.close)

  await new ParalleliX({ baseUrl: server.baseUrl }).models()

  const [gap] = gaps(server.hits)
  t.ok(gap !== undefined && gap >= 150 && gap < 900, `waited ${gap} ms, expected about 150`)
})

t.test('backs off exponentially with jitter after 5xx answers without Retry-After', async (t) => {
  const server = await startLocalServer([
    apiError(503, 'service_unavailable', 'no_capable_node'),
    apiError(502, 'server_error', 'node_failed'),
    ok
  ])
  t.teardown(server.close)

  await new ParalleliX({ baseUrl: server.baseUrl, maxRetries: 2 }).models()

  const [first, second] = gaps(server.hits)
  t.equal(server.hits.length, 3)
  t.ok(first !== undefined && first >= 375 && first < 900, `first wait ${first} ms in 375..500`)
  t.ok(second !== undefined && second >= 750 && second < 1400,
    `second wait ${second} ms in 750..1000`)
})

t.test('gives up after maxRetries with a RateLimitError carrying code and wait', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted', { 'retry-after': '0' })
  ])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl, maxRetries: 2 }).models()
    .catch((e: unknown) => e)

  t.equal(server.hits.length, 3)
  t.ok(err instanceof RateLimitError)
  t.match(err, { name: 'RateLimitError', status: 429, code: 'capacity_exhausted',
    type: 'rate_limit_error', retryAfterMs: 0 })
})

t.test('fails at once, without retrying, on a 400 naming the parameter', async (t) => {
  const server = await startLocalServer([
    apiError(400, 'invalid_request_error', 'invalid_value', {}, 'temperature')
  ])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).models().catch((e: unknown) => e)

  t.equal(server.hits.length, 1)
  t.ok(err instanceof BadRequestError)
  t.match(err, { status: 400, code: 'invalid_value', param: 'temperature' })
})

t.test('sends the API key as a bearer token and maps 401 to AuthenticationError', async (t) => {
  const server = await startLocalServer([
    apiError(401, 'authentication_error', 'invalid_api_key')
  ])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl, apiKey: 'pk_live_abc' }).models()
    .catch((e: unknown) => e)

  t.equal(server.hits[0]?.headers.authorization, 'Bearer pk_live_abc')
  t.equal(server.hits.length, 1)
  t.ok(err instanceof AuthenticationError)
  t.equal((err as AuthenticationError).code, 'invalid_api_key')
})

t.test('does not retry a 429 that reports insufficient quota', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'insufficient_quota', 'insufficient_quota', { 'retry-after': '0' })
  ])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).models().catch((e: unknown) => e)

  t.equal(server.hits.length, 1)
  t.ok(err instanceof InsufficientQuotaError)
  t.equal((err as InsufficientQuotaError).status, 429)
})

t.test('retries a dropped connection, then reports ConnectionError', async (t) => {
  const server = await startLocalServer([(_hit, _res, req) => { req.socket.destroy() }])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl, maxRetries: 1 }).models()
    .catch((e: unknown) => e)

  t.equal(server.hits.length, 2)
  t.ok(err instanceof ConnectionError)
  t.equal((err as ConnectionError).code, 'connection_error')
})

t.test('turns a server that never answers into a TimeoutError', async (t) => {
  const server = await startLocalServer([() => {}])
  t.teardown(server.close)
  const started = performance.now()

  const err = await new ParalleliX({ baseUrl: server.baseUrl, timeoutMs: 200, maxRetries: 0 })
    .models().catch((e: unknown) => e)

  t.ok(err instanceof TimeoutError)
  t.equal((err as TimeoutError).code, 'timeout')
  t.ok(performance.now() - started < 1000, 'gave up soon after the timeout')
})

t.test('an abort during the backoff rejects at once with AbortError', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted', { 'retry-after': '5' })
  ])
  t.teardown(server.close)
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('user left')), 100)
  const started = performance.now()

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).models({
    signal: controller.signal
  }).catch((e: unknown) => e)

  t.ok(err instanceof AbortError)
  t.equal((err as AbortError).code, 'aborted')
  t.equal(((err as AbortError).cause as Error).message, 'user left')
  t.equal(server.hits.length, 1)
  t.ok(performance.now() - started < 600, 'did not wait out the 5 s Retry-After')
})

t.test('maps any other 5xx to ServerError after its retries', async (t) => {
  const server = await startLocalServer([json(500, {
    error: { message: 'boom', type: 'server_error', code: null, param: null }
  })])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl, maxRetries: 0 }).models()
    .catch((e: unknown) => e)

  t.ok(err instanceof ServerError)
  t.match(err, { status: 500, code: 'server_error', message: 'boom' })
})
