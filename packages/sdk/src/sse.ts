/** One server-sent event: its type (`message` unless named), data lines joined by `\n`. */
export interface SseEvent {
  event: string
  data: string
  id: string | undefined
}

/**
 * Incremental parser for the text/event-stream format: accepts text in arbitrary pieces
 * (a line, or a `\r\n` pair, may be split across reads) and returns each complete event.
 */
export class SseParser {
  #buffer = ''
  #data: string[] = []
  #event = ''
  #id: string | undefined

  push (text: string): SseEvent[] {
    this.#buffer += text
    const events: SseEvent[] = []
    for (;;) {
      const cr = this.#buffer.indexOf('\r')
      const lf = this.#buffer.indexOf('\n')
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf)
      if (end === -1) break
      // A trailing \r may be the first half of \r\n: wait for the next piece.
      if (end === cr && cr === this.#buffer.length - 1) break
      const line = this.#buffer.slice(0, end)
      const skip = end === cr && this.#buffer[end + 1] === '\n' ? 2 : 1
      this.#buffer = this.#buffer.slice(end + skip)
      const event = this.#line(line)
      if (event !== undefined) events.push(event)
    }
    return events
  }

  /** Ends the stream; an event without its closing blank line is dropped, per the spec. */
  end (): SseEvent[] {
    const events = this.#buffer.endsWith('\r') ? this.push('\n') : []
    this.#buffer = ''
    this.#data = []
    this.#event = ''
    return events
  }

  #line (line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch()
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.#data.push(value)
    else if (field === 'event') this.#event = value
    else if (field === 'id' && !value.includes('\0')) this.#id = value
    return undefined
  }

  #dispatch (): SseEvent | undefined {
    const data = this.#data
    const event = this.#event === '' ? 'message' : this.#event
    this.#data = []
    this.#event = ''
    if (data.length === 0) return undefined
    return { event, data: data.join('\n'), id: this.#id }
  }
}

/**
 * Reads the events of an event-stream body. Leaving the loop early cancels the body, which
 * closes the connection so that the server stops the work behind it.
 */
export async function * readSse (body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new SseParser()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield * parser.push(decoder.decode(value, { stream: true }))
    }
    yield * parser.push(decoder.decode())
    yield * parser.end()
    finished = true
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
