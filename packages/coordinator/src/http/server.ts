import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { createLogger } from '@parallelix/protocol'
import { ApiError, errorBody, toApiError } from './errors.ts'
import { chatCompletionsRoute } from './routes/chat-completions.ts'
import { poolRoutes } from './routes/pool.ts'
import type { Dispatcher } from '../dispatch.ts'
import type { NodeRegistry } from '../mesh/registry.ts'

export interface HttpOptions {
  registry: NodeRegistry
  dispatcher: Dispatcher
  defaultMaxTokens: number
  peerId: string
}

/** The coordinator's HTTP front door: OpenAI-compatible routes plus pool and health. */
export async function buildHttpServer (opts: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: createLogger('coordinator:http') as FastifyBaseLogger,
    // Per-request detail is logged at debug by the routes, with the request id.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024
  })

  app.setErrorHandler((err, request, reply) => {
    const apiErr = toApiError(err)
    if (apiErr.status >= 500) request.log.error({ err }, 'request failed')
    void reply.status(apiErr.status).headers(apiErr.headers).send(errorBody(apiErr))
  })
  app.setNotFoundHandler((request, reply) => {
    const err = new ApiError(404, `Unknown route ${request.method} ${request.url}`,
      'invalid_request_error', 'unknown_url')
    void reply.status(404).send(errorBody(err))
  })

  app.get('/health', async () => ({
    status: 'ok', peer_id: opts.peerId, nodes: opts.registry.list().length
  }))
  await app.register(poolRoutes, { registry: opts.registry })
  await app.register(chatCompletionsRoute, {
    dispatcher: opts.dispatcher, defaultMaxTokens: opts.defaultMaxTokens
  })
  return app
}
