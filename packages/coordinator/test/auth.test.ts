import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spendingAuthorizationTypedData } from '@parallelix/contracts'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import { startCreditChain, type CreditChain } from './helpers/credit-chain.ts'

let chain: CreditChain
let dir: string
let c: RunningCoordinator

t.before(async () => {
  chain = await startCreditChain(8682)
  dir = await mkdtemp(join(tmpdir(), 'px-auth-'))
  c = await startCoordinator({
    dataDir: dir, httpPort: 0, chain: chain.chainConfig(1), coordinatorKey: chain.coordinatorKey
  })
})
t.teardown(async () => {
  await c.stop()
  await chain.stop()
  await rm(dir, { recursive: true, force: true })
})

interface Reply { status: number, body: any }

async function call (method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${c.apiBase}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: token }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() } as Reply
}

async function message (user: PrivateKeyAccount, over: {
  domain?: string, chainId?: number, nonce?: string, expirationTime?: Date
} = {}) {
  const nonce = over.nonce ?? (await call('GET', '/auth/nonce')).body.nonce
  const text = createSiweMessage({
    domain: over.domain ?? new URL(c.apiBase).host,
    address: user.address,
    uri: new URL(c.apiBase).origin,
    version: '1',
    chainId: over.chainId ?? chain.anvil.chainId,
    nonce,
    issuedAt: new Date(),
    expirationTime: over.expirationTime
  })
  return { message: text, signature: await user.signMessage({ message: text }) }
}

async function authorization (user: PrivateKeyAccount, nonce = 0n, signer = user) {
  const fields = {
    user: user.address, coordinator: chain.coordinatorAddress, cap: 10n ** 18n,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400), nonce
  }
  const signature = await signer.signTypedData(spendingAuthorizationTypedData(
    { chainId: chain.anvil.chainId, credits: chain.deployment.credits }, fields))
  return { cap: fields.cap.toString(), expiry: fields.expiry.toString(),
    nonce: nonce.toString(), signature }
}

async function signIn (user: PrivateKeyAccount): Promise<string> {
  const reply = await call('POST', '/auth/siwe', undefined,
    { ...await message(user), authorization: await authorization(user) })
  if (reply.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(reply.body)}`)
  return `Bearer ${reply.body.session as string}`
}

const alice = (): PrivateKeyAccount => privateKeyToAccount(chain.userKeys[0]!)
const bob = (): PrivateKeyAccount => privateKeyToAccount(chain.userKeys[1]!)

t.test('a nonce signs in once; the same sign-in replayed is refused', async (t) => {
  const nonce = await call('GET', '/auth/nonce')
  t.equal(nonce.body.domain, new URL(c.apiBase).host)
  t.equal(nonce.body.chain_id, chain.anvil.chainId)
  t.equal(nonce.body.coordinator, chain.coordinatorAddress)

  const signed = { ...await message(alice(), { nonce: nonce.body.nonce }),
    authorization: await authorization(alice()) }
  const first = await call('POST', '/auth/siwe', undefined, signed)
  t.equal(first.status, 200)
  t.match(first.body.session, /^ps_[0-9A-Za-z]{43}$/)
  t.equal(first.body.account, alice().address.toLowerCase())
  t.same(first.body.authorization, {
    coordinator: chain.coordinatorAddress, cap: signed.authorization.cap,
    expiry: signed.authorization.expiry, nonce: '0'
  })
  t.equal(c.accounts?.ledger.authorization(alice().address)?.signature,
    signed.authorization.signature, 'the authorization is kept for settlement')

  const replay = await call('POST', '/auth/siwe', undefined, signed)
  t.equal(replay.status, 401)
  t.equal(replay.body.error.code, 'invalid_nonce')
  t.equal(replay.body.error.type, 'invalid_request_error')
})

t.test('refuses a message for another domain, another chain, or past its expiry',
  async (t) => {
    const domain = await call('POST', '/auth/siwe', undefined,
      await message(alice(), { domain: 'evil.example' }))
    t.equal(domain.status, 401)
    t.equal(domain.body.error.code, 'invalid_domain')
    const other = await call('POST', '/auth/siwe', undefined,
      await message(alice(), { chainId: 1 }))
    t.equal(other.body.error.code, 'invalid_chain')
    const expired = await call('POST', '/auth/siwe', undefined,
      await message(alice(), { expirationTime: new Date(Date.now() - 1000) }))
    t.equal(expired.status, 401)
    t.equal(expired.body.error.code, 'message_expired')

    const forged = await message(alice())
    const wrongSigner = await bob().signMessage({ message: forged.message })
    const bad = await call('POST', '/auth/siwe', undefined,
      { message: forged.message, signature: wrongSigner })
    t.equal(bad.body.error.code, 'invalid_signature')
  })

t.test('refuses a spending authorization with a stale nonce or a foreign signature',
  async (t) => {
    const stale = await call('POST', '/auth/siwe', undefined,
      { ...await message(bob()), authorization: await authorization(bob(), 7n) })
    t.equal(stale.status, 400)
    t.equal(stale.body.error.code, 'invalid_spending_authorization')
    t.match(stale.body.error.message, /the vault expects 0/)
    const foreign = await call('POST', '/auth/siwe', undefined,
      { ...await message(bob()), authorization: await authorization(bob(), 0n, alice()) })
    t.equal(foreign.body.error.code, 'invalid_spending_authorization')
    t.equal(c.accounts?.ledger.authorization(bob().address), undefined)
  })

t.test('a session ends when its sign-in message expires', async (t) => {
  const signed = await message(bob(), { expirationTime: new Date(Date.now() + 1500) })
  const reply = await call('POST', '/auth/siwe', undefined, signed)
  const session = `Bearer ${reply.body.session as string}`
  t.equal((await call('GET', '/keys', session)).status, 200)

  await new Promise((resolve) => setTimeout(resolve, 1600))
  const expired = await call('GET', '/keys', session)
  t.equal(expired.status, 401)
  t.same(expired.body, { error: {
    message: 'Your session has expired: sign in again', type: 'invalid_request_error',
    code: 'invalid_api_key', param: null
  } })
})

t.test('API keys are shown once, listed redacted, and refused once revoked', async (t) => {
  const session = await signIn(alice())
  const created = await call('POST', '/keys', session, { name: 'laptop' })
  t.equal(created.status, 201)
  const key = created.body.value as string
  t.match(key, /^pk_live_[0-9A-Za-z]{43}$/)
  t.equal(created.body.redacted_value, `pk_live_…${key.slice(-4)}`)

  const listed = await call('GET', '/keys', session)
  const entry = listed.body.data.find((k: { id: string }) => k.id === created.body.id)
  t.same(entry, { object: 'api_key', id: created.body.id, name: 'laptop',
    redacted_value: `pk_live_…${key.slice(-4)}`, created_at: created.body.created_at,
    revoked_at: null })
  t.notOk(JSON.stringify(listed.body).includes(key), 'the secret is never listed')
  const row = c.database.prepare('SELECT * FROM api_keys WHERE id = ?').get(created.body.id)
  t.notOk(JSON.stringify(row).includes(key.slice(8)), 'nor stored')

  t.equal((await call('GET', '/usage', `Bearer ${key}`)).status, 200)
  const revoked = await call('DELETE', `/keys/${created.body.id as string}`, session)
  t.same(revoked.body, { object: 'api_key.deleted', id: created.body.id, deleted: true })
  const refused = await call('GET', '/usage', `Bearer ${key}`)
  t.equal(refused.status, 401)
  t.equal(refused.body.error.code, 'invalid_api_key')
})

t.test("one account can neither revoke nor use another account's key", async (t) => {
  const aliceSession = await signIn(alice())
  const bobSession = await signIn(bob())
  const aliceKey = await call('POST', '/keys', aliceSession, { name: 'alice' })

  const stolen = await call('DELETE', `/keys/${aliceKey.body.id as string}`, bobSession)
  t.equal(stolen.status, 404)
  t.equal(stolen.body.error.code, 'api_key_not_found')
  const bobKeys = await call('GET', '/keys', bobSession)
  t.notOk(bobKeys.body.data.some((k: { id: string }) => k.id === aliceKey.body.id))
  const usage = await call('GET', '/usage', `Bearer ${aliceKey.body.value as string}`)
  t.equal(usage.body.account, alice().address.toLowerCase(), 'a key acts for its owner only')
})

t.test("missing, malformed and unknown keys get OpenAI's 401 body", async (t) => {
  const missing = await call('POST', '/chat/completions', undefined, { model: 'm' })
  t.equal(missing.status, 401)
  t.same(Object.keys(missing.body.error).sort(), ['code', 'message', 'param', 'type'])
  t.equal(missing.body.error.code, 'invalid_api_key')
  t.equal(missing.body.error.param, null)
  t.match(missing.body.error.message, /You didn't provide an API key/)

  for (const token of ['Basic abc', 'Bearer sk-not-ours', `Bearer pk_live_${'x'.repeat(43)}`,
    `Bearer ps_${'0'.repeat(43)}`]) {
    const reply = await call('GET', '/usage', token)
    t.equal(reply.status, 401, token)
    t.equal(reply.body.error.code, 'invalid_api_key', token)
    t.equal(reply.body.error.type, 'invalid_request_error', token)
    t.notOk(reply.body.error.message.includes('x'.repeat(20)), 'the key is not echoed')
  }
})

t.test('the model list, health and sign-in are open; key management needs a session',
  async (t) => {
    t.equal((await call('GET', '/models')).status, 200)
    t.equal((await fetch(c.apiBase.replace(/\/v1$/, '/health'))).status, 200)
    t.equal((await call('GET', '/auth/nonce')).status, 200)
    t.equal((await call('GET', '/nodes')).status, 401)

    const session = await signIn(alice())
    const key = await call('POST', '/keys', session, { name: 'ci' })
    const withKey = await call('POST', '/keys', `Bearer ${key.body.value as string}`,
      { name: 'another' })
    t.equal(withKey.status, 403)
    t.equal(withKey.body.error.code, 'session_required')
  })
