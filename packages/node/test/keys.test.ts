import t from 'tap'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreateOperatorKey } from '../src/index.ts'

t.test('creates the operator key once, mode 0600, and reuses it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'px-keys-'))
  t.teardown(async () => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'sub', 'operator.key')
  const first = await loadOrCreateOperatorKey(path)
  const again = await loadOrCreateOperatorKey(path)
  t.equal(again.address, first.address)
  t.equal((await stat(path)).mode & 0o777, 0o600)
})

t.test('an explicit key wins over the file', async (t) => {
  const key = `0x${'42'.repeat(32)}`
  const account = await loadOrCreateOperatorKey('/nonexistent/operator.key', key)
  t.equal(account.address, '0x17c5185167401eD00cF5F5b2fc97D9BBfDb7D025')
})

t.test('refuses a key file that does not hold a private key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'px-keys-'))
  t.teardown(async () => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'operator.key')
  await writeFile(path, 'not a key\n')
  await t.rejects(loadOrCreateOperatorKey(path), { name: 'InvalidOperatorKeyError' })
  await t.rejects(loadOrCreateOperatorKey(path, '0x1234'), { name: 'InvalidOperatorKeyError' })
})
