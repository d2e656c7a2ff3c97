import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the server received, with when it arrived. */
export interface Hit {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

export type Handler = (hit: Hit, res: ServerResponse, req: IncomingMessage) => void

export interface LocalServer {
  /** Base URL including `/v1`. */
  baseUrl: string
  hits: Hit[]
  close: () => Promise<void>
}

/**
 * A loopback HTTP server whose n-th request is answered by `handlers[n]` (the last handler
 * answers every request past the list), to script exactly what a client sees.
 */
export async function startLocalServer (handlers: Handler[]): Promise<LocalServer> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'), at: performance.now()
      }
      const handler = handlers[Math.min(hits.length, handlers.length - 1)]
      hits.push(hit)
      handler?.(hit, res, req)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    hits,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Answers with a JSON body. */
export function json (status: number, body: unknown,
  headers: Record<string, string> = {}): Handler {
  return (_hit, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
}

/** Answers with an OpenAI-style error body. */
export function apiError (status: number, type: string, code: string | null,
  headers: Record<string, string> = {}, param: string | null = null): Handler {
  return json(status, { error: { message: `failed with ${code ?? type}`, type, code, param } },
    headers)
}

export const MODELS_BODY = {
  object: 'list',
  data: [{
    id: 'stories260K', object: 'model', created: 1, owned_by: 'parallelix',
    parallelix: { nodes: 2, slots_total: 4, slots_free: 4, context_size: 512, model_hashes: [] }
  }]
}
