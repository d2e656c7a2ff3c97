import { join } from 'node:path'
import Database from 'better-sqlite3'
import { creditsAbi } from '@parallelix/contracts'
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem'
import type { Devnet } from '../../../../scripts/lib/devnet.ts'

/** What GET /v1/receipts/{id} answers. */
export interface ReceiptBody {
  receipt: { requestId: string, operator: Address }
  poe: { hash: Hex, signature: Hex }
  batch: { id: Hex, root: Hex, tx_hash: Hex | null, status: string } | null
  proof: Hex[] | null
}

/** Sends one small completion with the demo user's key; returns its request id. */
export async function serveOne (devnet: Devnet, apiBase: string, i: number): Promise<string> {
  const res = await fetch(`${apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
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

/** Polls `check` every 200 ms until it returns a value, or throws after `timeoutMs`. */
export async function until<T> (
  what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
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
