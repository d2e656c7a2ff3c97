import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Address, Hex } from 'viem'

/** Where `pnpm --filter @parallelix/console build` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist', import.meta.url))

/** A development wallet the devnet hands to its console, so it signs in with no extension. */
export interface DevWallet {
  address: Address
  privateKey: Hex
  /** The chain its sign-in messages name; the console picks one when absent. */
  chainId?: number
  /** JSON-RPC of that chain, where the console reads the vault's authorization nonce. */
  rpcUrl?: string
}

export interface ConsoleRouteOptions {
  /** The built console; CONSOLE_DIST when absent. */
  distDir?: string
  /**
   * Devnet only: served at GET /devnet/wallet, private key included. Never set it on a
   * coordinator that others can reach with funds behind that key.
   */
  devWallet?: DevWallet
}

// Paths the console never answers: they keep the API's JSON 404.
const API_PATHS = /^\/(v1|health|devnet)(\/|$)/

// The console's own code only: no inline script, no framing, no other origin but the
// devnet chain's JSON-RPC when the devnet wallet comes with one.
function contentSecurityPolicy (rpcUrl: string | undefined): string {
  const rpc = rpcUrl === undefined ? '' : ` ${new URL(rpcUrl).origin}`
  return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    `img-src 'self' data:; connect-src 'self'${rpc}; object-src 'none'; base-uri 'none'; ` +
    "frame-ancestors 'none'"
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ParalleliX console</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The console is not built</h1>
<p>Run <code>pnpm --filter @parallelix/console build</code> and reload this page.
The API is unaffected: it is served under <code>/v1</code>.</p>
</body></html>
`

/**
 * The browser console at `/`: its built files, index.html for every other GET outside
 * the API (client-side routes), and on a devnet the development wallet.
 */
export async function consoleRoutes (app: FastifyInstance, opts: ConsoleRouteOptions) {
  const root = opts.distDir ?? CONSOLE_DIST
  const csp = contentSecurityPolicy(opts.devWallet?.rpcUrl)
  // serve: false: this route decides what a path means; the plugin only streams files.
  await app.register(fastifyStatic, { root, serve: false, suppressWarning: true })

  if (opts.devWallet !== undefined) {
    const { address, privateKey, chainId, rpcUrl } = opts.devWallet
    app.log.warn({ address }, 'devnet wallet exposed at GET /devnet/wallet')
    app.get('/devnet/wallet', async (_request, reply) => {
      void reply.header('cache-control', 'no-store')
      return {
        address,
        privateKey,
        ...(chainId === undefined ? {} : { chain_id: chainId }),
        ...(rpcUrl === undefined ? {} : { rpc_url: rpcUrl })
      }
    })
  }

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?', 1)[0]!
    if (API_PATHS.test(path)) {
      reply.callNotFound()
      return reply
    }
    // Looked up on every request: a console built after the coordinator started is served.
    if (!existsSync(join(root, 'index.html'))) {
      return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT)
    }

    const last = path.slice(path.lastIndexOf('/') + 1)
    if (last.includes('.')) return sendAsset(reply, path.slice(1))
    void reply.headers({
      'cache-control': 'no-cache',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer'
    })
    return reply.sendFile('index.html', { cacheControl: false })
  })
}

// Vite names files under assets/ by content hash: they never change under one name.
function sendAsset (reply: FastifyReply, file: string): FastifyReply {
  void reply.header('x-content-type-options', 'nosniff')
  return file.startsWith('assets/')
    ? reply.sendFile(file, { immutable: true, maxAge: '365d' })
    : reply.sendFile(file)
}
