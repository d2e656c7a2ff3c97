import t from 'tap'
import {
  AbortError, ConnectionError, ParalleliX, RateLimitError, ServerError
} from '../src/index.ts'
import { apiError, json, startLocalServer } from './helpers/local-server.ts'
import { chunk, completionStream, parallelixObject, sse } from './helpers/chat-fixtures.ts'

const REQUEST = {
  model: 'stories260K', messages: [{ role: 'user' as const, content: 'Once' }], max_tokens: 3
}

async function collect (stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const text of stream) out.push(text)
  return out
}

t.test('reassembles a stream delivered seven bytes at a time', async (t) => {
  const text = completionStream('1250')
  const pieces = text.match(/[\s\S]{1,7}/g) ?? []
  const server = await startLocalServer([sse(pieces, 0)])
  t.teardown(server.close)

  const stream = new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST)
  const chunks = await collect(stream)

  t.same(chunks, ['Once', ' upon', ' a'])
  t.equal(stream.final?.text, 'Once upon a')
  t.equal(stream.final?.finish_reason, 'length')
  t.same(stream.final?.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 })
  t.equal(stream.final?.cost, 1250n)
  t.equal(stream.final?.parallelix.receipt.requestId, 'req1')
  t.equal(await stream.done, stream.final)
  t.same(JSON.parse(server.hits[0]?.body ?? '{}').stream_options, { include_usage: true })
})

t.test('done consumes a stream that nobody iterates', async (t) => {
  const server = await startLocalServer([sse([completionStream()])])
  t.teardown(server.close)

  const result = await new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST).done

  t.equal(result.text, 'Once upon a')
  t.equal(result.cost, undefined)
})

t.test('an in-band error event rejects the iteration with its typed error', async (t) => {
  const failure = { error: { message: 'node died', type: 'server_error', code: 'node_failed',
    param: null } }
  const server = await startLocalServer([
    sse([chunk({ content: 'Once' }), `data: ${JSON.stringify(failure)}\n\ndata: [DONE]\n\n`])
  ])
  t.teardown(server.close)
  const stream = new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST)
  const seen: string[] = []

  const err = await (async () => { for await (const s of stream) seen.push(s) })()
    .catch((e: unknown) => e)

  t.same(seen, ['Once'])
  t.ok(err instanceof ServerError)
  t.match(err, { status: null, code: 'node_failed', message: 'node died' })
  t.equal(await stream.done.catch((e: unknown) => e), err)
})

t.test('a stream cut before its final chunk rejects with ConnectionError', async (t) => {
  const server = await startLocalServer([sse([chunk({ content: 'Once' })])])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST).done
    .catch((e: unknown) => e)

  t.ok(err instanceof ConnectionError)
  t.match((err as Error).message, /before its final chunk/)
})

t.test('a 429 before the stream opens is retried; after that nothing is', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted', { 'retry-after': '0' }),
    sse([completionStream()])
  ])
  t.teardown(server.close)

  const result = await new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST).done

  t.equal(result.text, 'Once upon a')
  t.equal(server.hits.length, 2)
})

t.test('a 429 that outlasts the retries rejects the stream with RateLimitError', async (t) => {
  const server = await startLocalServer([
    apiError(429, 'rate_limit_error', 'capacity_exhausted', { 'retry-after': '0' })
  ])
  t.teardown(server.close)

  const err = await new ParalleliX({ baseUrl: server.baseUrl, maxRetries: 1 }).stream(REQUEST)
    .done.catch((e: unknown) => e)

  t.ok(err instanceof RateLimitError)
  t.equal(server.hits.length, 2)
})

t.test('leaving the loop early closes the connection and rejects done', async (t) => {
  let closed = false
  const server = await startLocalServer([(_hit, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(chunk({ content: 'Once' }))
    const timer = setInterval(() => res.write(chunk({ content: ' more' })), 10)
    res.on('close', () => {
      closed = true
      clearInterval(timer)
    })
  }])
  t.teardown(server.close)
  const stream = new ParalleliX({ baseUrl: server.baseUrl }).stream(REQUEST)

  for await (const text of stream) {
    t.equal(text, 'Once')
    break
  }
  const err = await stream.done.catch((e: unknown) => e)
  await new Promise((resolve) => setTimeout(resolve, 50))

  t.ok(err instanceof AbortError)
  t.equal(closed, true)
})

t.test('a non-streaming completion carries its cost as a bigint', async (t) => {
  const server = await startLocalServer([json(200, {
    id: 'chatcmpl-req1', object: 'chat.completion', created: 1, model: 'stories260K',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Once upon a' },
      finish_reason: 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    parallelix: parallelixObject('90071992547409930')
  })])
  t.teardown(server.close)

  const result = await new ParalleliX({ baseUrl: server.baseUrl }).chat(REQUEST)

  t.equal(result.cost, 90071992547409930n)
  t.equal(result.text, 'Once upon a')
  t.equal(result.finish_reason, 'stop')
  t.equal(result.parallelix.request_id, 'req1')
})
