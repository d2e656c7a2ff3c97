import { join } from 'node:path'
import Database from 'better-sqlite3'
import { creditsAbi } from '@parallelix/contracts'
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem'
import { ROOT, type Devnet } from '../../../../scripts/lib/devnet.ts'
import { spawnLogged, type ManagedProcess } from '../../../../scripts/lib/processes.ts'
import { until } from '../../../../scripts/lib/test-devnet.ts'

export { until }

/** What GET /v1/receipts/{id} answers. */
export interface ReceiptBody {
  receipt: { requestId: string, operator: Address }
  poe: { hash: Hex, signature: Hex }
  batch: { id: Hex, root: Hex, tx_hash: Hex | null, status: string } | null
  proof: Hex[] | null
}

/** Sends one small completion with `apiKey` (the demo user's); returns its request id. */
export async function serveOne (
  devnet: Devnet, apiBase: string, i: number, apiKey = devnet.apiKey
): Promise<string> {
  const res = await fetch(`${apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      model: devnet.model.id, max_tokens: 6 + i, temperature: 0,
      messages: [{ role: 'user', content: `Once upon a time ${i}` }]
    })
  })
  const body = await res.json() as { parallelix?: { request_id: string } }
  if (res.status !== 200 || body.parallelix === undefined) {
    throw new Error(`completion failed: ${res.status} ${JSON.stringify(body)}`)
  }
  return body.parallelix.request_id
}

export async function getReceipt (
  apiBase: string, apiKey: string, requestId: string
): Promise<{ status: number, body: ReceiptBody }> {
  const res = await fetch(`${apiBase}/receipts/${requestId}`, {
    headers: { authorization: `Bearer ${apiKey}` }
  })
  return { status: res.status, body: await res.json() as ReceiptBody }
}

/** The OpenZeppelin StandardMerkleTree leaf of a receipt hash, computed with viem alone. */
export function leafOf (receiptHash: Hex): Hex {
  return keccak256(keccak256(encodeAbiParameters([{ type: 'bytes32' }], [receiptHash])))
}

/** Reads the coordinator's SQLite file (read-only, alongside the running process). */
export function readDb<T> (stateDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(stateDir, 'coordinator', 'coordinator.db'), { readonly: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}

/** Every BatchSettled, Debited and Credited log of the vault so far. */
export async function settlementLogs (devnet: Devnet) {
  const logs = await devnet.chain.publicClient.getContractEvents({
    address: devnet.chain.contracts.credits, abi: creditsAbi, fromBlock: 0n, strict: true
  })
  const pick = (name: string) => logs.filter((l) => l.eventName === name)
    .map((l) => l.args as Record<string, unknown>)
  return {
    settled: pick('BatchSettled').map((a) => a.batchId as Hex),
    debited: pick('Debited').reduce((s, a) => s + (a.amount as bigint), 0n),
    credited: pick('Credited').reduce((s, a) => s + (a.amount as bigint), 0n)
  }
}

/** Whether the coordinator's pool lists `peerId`. */
export async function inPool (devnet: Devnet, peerId: string): Promise<true | undefined> {
  const res = await fetch(`${devnet.apiBase}/nodes`, {
    headers: { authorization: `Bearer ${devnet.apiKey}` }
  })
  const body = await res.json() as { data: Array<{ peer_id: string }> }
  return body.data.some((n) => n.peer_id === peerId) ? true : undefined
}

/**
 * Starts a node that serves its own generated tiny GGUF under the devnet's model id — a
 * different model than the one it claims — registered on chain as operator `index`, and
 * waits until it is in the pool.
 */
export async function startImpostor (devnet: Devnet, stateDir: string, index: number):
Promise<{ process: ManagedProcess, peerId: string, operator: Address }> {
  const proc = spawnLogged(`impostor-${index}`, process.execPath, [
    join(ROOT, 'packages/node/bin/parallelix-node.js'),
    '--model-id', devnet.model.id, '--data-dir', join(stateDir, `impostor-${index}`),
    '--threads', '1', '--slots', '1', '--context-size', '256',
    ...devnet.coordinator.multiaddrs.flatMap((a) => ['--bootstrap', a])
  ], join(stateDir, 'logs', `impostor-${index}.log`),
  { PARALLELIX_OPERATOR_KEY: devnet.chain.operatorKey(index) })
  try {
    const { peerId, operator } = await proc.waitForLog<{ peerId: string, operator: Address }>(
      (l) => l.msg === 'node serving', 120_000)
    await devnet.chain.registerOperator(index, peerId)
    await until('the impostor in the pool', async () => inPool(devnet, peerId), 30_000)
    return { process: proc, peerId, operator }
  } catch (err) {
    await proc.stop('SIGKILL')
    throw err
  }
}
