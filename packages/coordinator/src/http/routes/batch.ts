import { createHash } from 'node:crypto'
import { ApiError } from '../errors.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { BatchService } from '../../batch/service.ts'

/** Room for 1,000 prompts of a few KiB each. */
const BATCH_BODY_LIMIT = 16 * 1024 * 1024

/**
 * Who is asking. An auth hook may set `request.owner` (an account id); until then the
 * owner is the SHA-256 of the bearer token, so that the token itself is never stored.
 */
export function requestOwner (request: FastifyRequest): string {
  const decorated = (request as FastifyRequest & { owner?: unknown }).owner
  if (typeof decorated === 'string' && decorated !== '') return decorated
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')
  if (match?.[1] === undefined) return 'anonymous'
  return `key:${createHash('sha256').update(match[1].trim()).digest('hex')}`
}

function notFound (id: string): ApiError {
  return new ApiError(404, `No batch found with id '${id}'`, 'invalid_request_error',
    'batch_not_found', 'id')
}

/** POST /v1/batch, GET /v1/batch, GET /v1/batch/:id and POST /v1/batch/:id/cancel. */
export async function batchRoutes (app: FastifyInstance, opts: { batches: BatchService }) {
  const { batches } = opts

  app.post('/v1/batch', { bodyLimit: BATCH_BODY_LIMIT }, async (request, reply) => {
    const summary = batches.submit(requestOwner(request), request.body)
    return reply.status(202).send(summary)
  })

  app.get('/v1/batch', async (request) => ({
    object: 'list',
    data: batches.list(requestOwner(request))
  }))

  app.get<{ Params: { id: string } }>('/v1/batch/:id', async (request) => {
    const batch = batches.get(requestOwner(request), request.params.id)
    if (batch === undefined) throw notFound(request.params.id)
    return batch
  })

  app.post<{ Params: { id: string } }>('/v1/batch/:id/cancel', async (request) => {
    const batch = batches.cancel(requestOwner(request), request.params.id)
    if (batch === undefined) throw notFound(request.params.id)
    return batch
  })
}
