import { z } from 'zod'
import { ApiKeyNotFoundError } from '../../auth/errors.ts'
import { requireSession } from '../../auth/hook.ts'
import { parseBody } from './body.ts'
import type { FastifyInstance } from 'fastify'
import type { ApiKeyInfo, ApiKeyStore } from '../../auth/api-keys.ts'

const createSchema = z.object({ name: z.string().trim().min(1).max(64) })

function keyView (key: ApiKeyInfo) {
  return {
    object: 'api_key',
    id: key.id,
    name: key.name,
    redacted_value: key.redacted,
    created_at: Math.floor(key.createdAt / 1000),
    revoked_at: key.revokedAt === null ? null : Math.floor(key.revokedAt / 1000)
  }
}

/**
 * API keys of the signed-in account: POST /v1/keys (the secret is in this response only),
 * GET /v1/keys, DELETE /v1/keys/:id. All need a sign-in session, not an API key.
 */
export async function keyRoutes (app: FastifyInstance, opts: { keys: ApiKeyStore }) {
  app.post('/v1/keys', async (request, reply) => {
    const owner = requireSession(request)
    const { name } = parseBody(createSchema, request.body)
    const created = opts.keys.create(owner, name)
    request.log.info({ account: owner, key: created.id }, 'API key created')
    return reply.status(201).send({ ...keyView(created), value: created.key })
  })

  app.get('/v1/keys', async (request) => {
    const owner = requireSession(request)
    return { object: 'list', data: opts.keys.list(owner).map(keyView) }
  })

  app.delete<{ Params: { id: string } }>('/v1/keys/:id', async (request) => {
    const owner = requireSession(request)
    const revoked = opts.keys.revoke(owner, request.params.id)
    if (revoked === undefined) {
      throw new ApiKeyNotFoundError(`No API key '${request.params.id}' in this account`)
    }
    request.log.info({ account: owner, key: revoked.id }, 'API key revoked')
    return { object: 'api_key.deleted', id: revoked.id, deleted: true }
  })
}
