import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { consoleRoutes } from '../../coordinator/src/http/routes/console.ts'

type FastifyInstance = Parameters<typeof consoleRoutes>[0]

// Fastify is the coordinator's dependency, not the console's: load it from there.
const COORDINATOR = join(dirname(fileURLToPath(import.meta.url)), '../../coordinator')
const Fastify = createRequire(join(COORDINATOR, 'package.json'))('fastify') as
  (opts?: object) => FastifyInstance

const WALLET = {
  address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
} as const

const scratch = await mkdtemp(join(tmpdir(), 'console-route-'))
t.teardown(async () => { await rm(scratch, { recursive: true, force: true }) })
const dist = join(scratch, 'dist')
await mkdir(join(dist, 'assets'), { recursive: true })
await writeFile(join(scratch, 'secret.txt'), 'SECRET')
await writeFile(join(dist, 'index.html'), '<!doctype html><div id="app"></div>')
await writeFile(join(dist, 'assets', 'index-abc.js'), 'console.log(1)')

async function server (opts: Parameters<typeof consoleRoutes>[1]): Promise<FastifyInstance> {
  const app = Fastify()
  app.get('/v1/models', async () => ({ object: 'list', data: [] }))
  await app.register(consoleRoutes, opts)
  t.teardown(async () => { await app.close() })
  return app
}

t.test('serves index.html at / and at every client-side route', async (t) => {
  const app = await server({ distDir: dist })
  for (const url of ['/', '/pool', '/c/a1b2c3']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    t.equal(res.body, '<!doctype html><div id="app"></div>', url)
    t.equal(res.headers['cache-control'], 'no-cache', url)
    t.match(res.headers['content-security-policy'], /default-src 'self'/, url)
  }
})

t.test('serves hashed assets as immutable', async (t) => {
  const app = await server({ distDir: dist })
  const res = await app.inject({ method: 'GET', url: '/assets/index-abc.js' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'console.log(1)')
  t.match(res.headers['content-type'], /javascript/)
  t.match(res.headers['cache-control'], /immutable/)
})

t.test('answers a missing asset with 404, not with index.html', async (t) => {
  const app = await server({ distDir: dist })
  const res = await app.inject({ method: 'GET', url: '/assets/gone.js' })
  t.equal(res.statusCode, 404)
})

t.test('keeps the API\'s 404 for unknown /v1, /health and /devnet paths', async (t) => {
  const app = await server({ distDir: dist })
  for (const url of ['/v1/nope', '/v1', '/health/x', '/devnet/wallet']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /application\/json/, url)
  }
  const known = await app.inject({ method: 'GET', url: '/v1/models' })
  t.same(known.json(), { object: 'list', data: [] })
})

t.test('refuses paths that climb out of the console folder', async (t) => {
  const app = await server({ distDir: dist })
  for (const url of ['/..%2fsecret.txt', '/x/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.notMatch(res.body, 'SECRET', url)
  }
})

t.test('says how to build the console when it is not built', async (t) => {
  const app = await server({ distDir: join(dist, 'missing') })
  const res = await app.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.body, 'pnpm --filter @parallelix/console build')
})

t.test('hands out the devnet wallet only when one is configured', async (t) => {
  const withWallet = await server({
    distDir: dist, devWallet: { ...WALLET, chainId: 31337, rpcUrl: 'http://127.0.0.1:8545/' }
  })
  const res = await withWallet.inject({ method: 'GET', url: '/devnet/wallet' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { ...WALLET, chain_id: 31337, rpc_url: 'http://127.0.0.1:8545/' })
  t.equal(res.headers['cache-control'], 'no-store')
  const page = await withWallet.inject({ method: 'GET', url: '/' })
  t.match(page.headers['content-security-policy'], "connect-src 'self' http://127.0.0.1:8545;")

  const without = await server({ distDir: dist })
  t.equal((await without.inject({ method: 'GET', url: '/devnet/wallet' })).statusCode, 404)
})
