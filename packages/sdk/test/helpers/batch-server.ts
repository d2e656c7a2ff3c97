import type { ServerResponse } from 'node:http'
import { startLocalServer, type Hit, type LocalServer } from './local-server.ts'

export interface BatchScript {
  /** Items of one batch that run at once. */
  slots: number
  /** How long each item runs. */
  itemMs: number
  /** Cost of the item at `index` of its batch, in base units. */
  cost: (index: number, input: unknown) => bigint
}

interface ScriptedBatch {
  id: string
  createdAt: number
  inputs: unknown[]
  cancelledAt: number | undefined
}

/**
 * A loopback server that answers POST /v1/batch, GET /v1/batch/{id} and POST
 * /v1/batch/{id}/cancel as the batch contract describes, with item timing and costs fixed by
 * `script`, so that parallelMap's own decisions can be checked to the item.
 */
export async function startBatchServer (script: BatchScript): Promise<LocalServer & {
  batches: ScriptedBatch[]
}> {
  const batches: ScriptedBatch[] = []

  const itemState = (b: ScriptedBatch, index: number, now: number) => {
    const start = b.createdAt + Math.floor(index / script.slots) * script.itemMs
    const end = start + script.itemMs
    const cut = b.cancelledAt ?? Infinity
    if (end <= Math.min(now, cut)) {
      const input = b.inputs[index]
      return {
        index, status: 'completed', output: `out:${JSON.stringify(input)}`,
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
        cost: String(script.cost(index, input))
      }
    }
    if (cut <= now) return { index, status: 'cancelled' }
    return { index, status: start <= now ? 'running' : 'queued' }
  }

  const view = (b: ScriptedBatch) => {
    const now = Date.now()
    const items = b.inputs.map((_, i) => itemState(b, i, now))
    const count = (s: string): number => items.filter((i) => i.status === s).length
    const counts = {
      total: items.length, queued: count('queued'), running: count('running'),
      completed: count('completed'), failed: 0, cancelled: count('cancelled')
    }
    const status = counts.queued + counts.running > 0
      ? 'running'
      : counts.cancelled > 0 ? 'cancelled' : 'completed'
    return { id: b.id, object: 'batch', status, created_at: b.createdAt, counts, items }
  }

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  const server = await startLocalServer([(hit: Hit, res) => {
    const match = /^\/v1\/batch(?:\/([^/]+))?(\/cancel)?$/.exec(hit.url)
    const batch = batches.find((b) => b.id === match?.[1])
    if (match === null) {
      return send(res, 404, { error: { message: 'no', type: 'x', code: 'unknown_url' } })
    }
    if (hit.method === 'POST' && match[1] === undefined) {
      const body = JSON.parse(hit.body) as { inputs: unknown[] }
      const b = { id: `batch_${batches.length}`, createdAt: Date.now(), inputs: body.inputs,
        cancelledAt: undefined }
      batches.push(b)
      const { items: _items, ...summary } = view(b)
      return send(res, 202, summary)
    }
    if (batch === undefined) {
      return send(res, 404, { error: { message: 'no batch', type: 'x', code: 'batch_not_found' } })
    }
    if (match[2] !== undefined) batch.cancelledAt ??= Date.now()
    send(res, 200, view(batch))
  }])
  return { ...server, batches }
}
