import type { Handler } from './local-server.ts'

const HASH = `0x${'ab'.repeat(32)}`
const OPERATOR = '0x10459B90fA3DD13e0783ac3FE940fF2662e0eAF7'

/** A `parallelix` object shaped as the coordinator sends it; its PoE is not a real signature. */
export function parallelixObject (cost?: string): Record<string, unknown> {
  return {
    request_id: 'req1',
    node: '12D3KooWnode',
    operator: OPERATOR,
    poe: { hash: HASH, signature: `0x${'11'.repeat(65)}` },
    receipt: {
      requestId: 'req1', model: 'stories260K', modelHash: HASH, promptHash: HASH,
      outputHash: HASH, promptTokens: 7, completionTokens: 3, node: '12D3KooWnode',
      operator: OPERATOR, startedAt: 1, finishedAt: 2
    },
    ...(cost === undefined ? {} : { cost })
  }
}

export function chunk (delta: object, finish: string | null = null, extra: object = {}): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-req1', object: 'chat.completion.chunk', created: 1, model: 'stories260K',
    choices: [{ index: 0, delta, finish_reason: finish }], ...extra
  })}\n\n`
}

/** Streams `pieces` one per `gapMs`, as an SSE response. */
export function sse (pieces: string[], gapMs = 5): Handler {
  return (_hit, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const queue = [...pieces]
    const next = (): void => {
      const piece = queue.shift()
      if (piece === undefined) {
        res.end()
        return
      }
      res.write(piece)
      setTimeout(next, gapMs)
    }
    next()
  }
}

/** The whole SSE text of a three-token completion with its final chunk and usage. */
export function completionStream (cost?: string): string {
  return chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Once' }) +
    chunk({ content: ' upon' }) + chunk({ content: ' a' }) +
    chunk({}, 'length', { parallelix: parallelixObject(cost) }) +
    `data: ${JSON.stringify({
      id: 'chatcmpl-req1', object: 'chat.completion.chunk', created: 1, model: 'stories260K',
      choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      parallelix: parallelixObject(cost)
    })}\n\ndata: [DONE]\n\n`
}
