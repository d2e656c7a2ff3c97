import { existsSync } from 'node:fs'
import t from 'tap'
import { createPublicClient, http, parseEther } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { AnvilStartError, anvilBinary, startAnvil } from '../src/index.ts'

const PORT = 8601

t.test('starts anvil on loopback with its funded default accounts', async (t) => {
  const anvil = await startAnvil({ port: PORT })
  t.teardown(() => anvil.stop())
  const client = createPublicClient({ transport: http(anvil.rpcUrl) })

  t.equal(anvil.rpcUrl, `http://127.0.0.1:${PORT}`)
  t.equal(anvil.chainId, 31_337)
  t.equal(await client.getChainId(), 31_337)
  t.equal(anvil.accounts.length, 10)
  t.equal(anvil.accounts[0], '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  t.same(anvil.privateKeys.map((key) => privateKeyToAddress(key)), anvil.accounts)
  t.equal(await client.getBalance({ address: anvil.accounts[9]! }), parseEther('10000'))
})

t.test('honours the chain id and number of accounts asked for', async (t) => {
  const anvil = await startAnvil({ port: PORT, chainId: 1_337, accounts: 3 })
  t.teardown(() => anvil.stop())
  const client = createPublicClient({ transport: http(anvil.rpcUrl) })

  t.equal(await client.getChainId(), 1_337)
  t.equal(anvil.accounts.length, 3)
  t.equal(await client.getBalance({ address: anvil.accounts[2]! }), parseEther('10000'))
})

t.test('stops the node and frees its port', async (t) => {
  const first = await startAnvil({ port: PORT })
  await first.stop()

  const second = await startAnvil({ port: PORT })
  t.teardown(() => second.stop())

  t.equal(await createPublicClient({ transport: http(second.rpcUrl) }).getBlockNumber(), 0n)
})

t.test('fails with AnvilStartError when the port is taken', async (t) => {
  const first = await startAnvil({ port: PORT })
  t.teardown(() => first.stop())

  const err = await startAnvil({ port: PORT }).catch((e: unknown) => e)

  t.type(err, AnvilStartError)
  t.equal((err as Error).name, 'AnvilStartError')
  t.match((err as Error).message, /did not start/)
})

t.test('gives up after its timeout', async (t) => {
  const err = await startAnvil({ port: PORT, timeoutMs: 1 }).catch((e: unknown) => e)

  t.type(err, AnvilStartError)
})

t.test('resolves the native binary shipped by @foundry-rs/anvil', async (t) => {
  const binary = anvilBinary()

  t.ok(existsSync(binary), binary)
  t.match(binary, /anvil(\.exe)?$/)
})
