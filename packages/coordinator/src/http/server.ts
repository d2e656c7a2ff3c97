import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { createLogger } from '@parallelix/protocol'
import { ApiError, errorBody, toApiError } from './errors.ts'
import { chatCompletionsRoute } from './routes/chat-completions.ts'
import { poolRoutes } from './routes/pool.ts'
import { batchRoutes } from './routes/batch.ts'
import { authRoutes } from './routes/auth.ts'
import { keyRoutes } from './routes/keys.ts'
import { usageRoutes } from './routes/usage.ts'
import { withdrawalRoutes } from './routes/withdrawals.ts'
import { receiptRoutes } from './routes/receipts.ts'
import { earningsRoutes } from './routes/earnings.ts'
import { proofRoutes } from './routes/proofs.ts'
import type { FallbackServer } from '../fallback/fallback-server.ts'
import type { Settlement } from '../settlement/settlement.ts'
import { bearerAuth, decorateOwner } from '../auth/hook.ts'
import { Metering } from '../ledger/metering.ts'
import type { Accounts } from '../auth/accounts.ts'
import { consoleRoutes, type ConsoleRouteOptions } from './routes/console.ts'
import type { BatchService } from '../batch/service.ts'
import type { Dispatcher } from '../dispatch.ts'
import type { NodeRegistry } from '../mesh/registry.ts'

export interface HttpOptions {
  registry: NodeRegistry
  dispatcher: Dispatcher
  /** The coordinator's own hardware, listed in /v1/models with the models it serves. */
  fallback?: FallbackServer
  defaultMaxTokens: number
  peerId: string
  /** Serves the batch API when given. */
  batches?: BatchService
  /** The browser console at `/`; `devWallet` only on a devnet. */
  console?: ConsoleRouteOptions
  /**
   * Sign-in, API keys and metered credit. When given, every /v1 route but the public ones
   * needs a bearer token; when absent, auth is off and requests are priced, not charged.
   */
  accounts?: Accounts
  /** Prices requests when `accounts` is absent (its own metering is used otherwise). */
  metering?: Metering
  /** Receipts with their settlement proofs, and operator earnings; needs `accounts`. */
  settlement?: Settlement
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

  decorateOwner(app)
  const { accounts } = opts
  if (accounts !== undefined) {
    app.addHook('onRequest', bearerAuth(accounts))
    await app.register(authRoutes, { accounts })
    await app.register(keyRoutes, { keys: accounts.keys })
    await app.register(usageRoutes, { accounts, settlement: opts.settlement?.store })
    await app.register(withdrawalRoutes, { accounts })
    if (opts.settlement !== undefined) {
      await app.register(receiptRoutes, {
        ledger: accounts.ledger, settlement: opts.settlement.store
      })
      await app.register(earningsRoutes, { settlement: opts.settlement })
      await app.register(proofRoutes, { settlement: opts.settlement.store })
    }
  }

  app.get('/health', async () => ({
    status: 'ok', peer_id: opts.peerId, nodes: opts.registry.list().length
  }))
  await app.register(poolRoutes, {
    registry: opts.registry, fallbackModels: () => opts.fallback?.models ?? []
  })
  await app.register(chatCompletionsRoute, {
    dispatcher: opts.dispatcher,
    defaultMaxTokens: opts.defaultMaxTokens,
    metering: accounts?.metering ?? opts.metering ?? new Metering(),
    ledger: accounts?.ledger
  })
  if (opts.batches !== undefined) await app.register(batchRoutes, { batches: opts.batches })
  await app.register(consoleRoutes, opts.console ?? {})
  return app
}
