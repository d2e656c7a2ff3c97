import t from 'tap'
import { SseParser, type SseEvent } from '../src/sse.ts'
import { readSse } from '../src/sse.ts'

const STREAM = ': keep-alive\n\ndata: {"a":1}\n\n' +
  'event: note\ndata: line one\r\ndata: line two\r\n' +
  '\r\nid: 7\ndata:no-space\r\rdata: [DONE]\n\n'

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"a":1}', id: undefined },
  { event: 'note', data: 'line one\nline two', id: undefined },
  { event: 'message', data: 'no-space', id: '7' },
  { event: 'message', data: '[DONE]', id: '7' }
]

function parseInPieces (text: string, size: number): SseEvent[] {
  const parser = new SseParser()
  const events: SseEvent[] = []
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)))
  return [...events, ...parser.end()]
}

function bodyOf (chunks: Uint8Array[],
  onCancel: () => void = () => {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull (controller) {
      const next = chunks.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
    cancel: onCancel
  })
}

t.test('parses LF, CRLF and CR line ends, comments, names, ids and multi-line data', async (t) => {
  t.same(parseInPieces(STREAM, STREAM.length), EXPECTED)
})

t.test('gives the same events however the text is split, even inside a CRLF pair', async (t) => {
  for (const size of [1, 2, 3, 5, 8, 13]) {
    t.same(parseInPieces(STREAM, size), EXPECTED, `pieces of ${size}`)
  }
})

t.test('drops an event whose closing blank line never came', async (t) => {
  t.same(parseInPieces('data: whole\n\ndata: cut off\n', 4),
    [{ event: 'message', data: 'whole', id: undefined }])
})

t.test('decodes a character split across two reads', async (t) => {
  const bytes = new TextEncoder().encode('data: naïve 🚀\n\n')
  const chunks = [bytes.slice(0, 9), bytes.slice(9, 14), bytes.slice(14)]
  const events: string[] = []
  for await (const e of readSse(bodyOf(chunks))) events.push(e.data)
  t.same(events, ['naïve 🚀'])
})

t.test('cancels the body when the reader stops early', async (t) => {
  let cancelled = 0
  const chunks = ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']
    .map((s) => new TextEncoder().encode(s))
  const seen: string[] = []
  for await (const e of readSse(bodyOf(chunks, () => { cancelled++ }))) {
    seen.push(e.data)
    break
  }
  t.same(seen, ['1'])
  t.equal(cancelled, 1)
})
