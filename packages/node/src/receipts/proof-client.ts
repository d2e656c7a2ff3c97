import { z } from 'zod'

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex')
  .transform((s) => s.toLowerCase() as `0x${string}`)

/** What the coordinator answers on `GET /v1/proofs/{receiptHash}`. */
export const receiptProofSchema = z.object({
  object: z.literal('receipt.proof'),
  receipt_hash: hex32,
  request_id: z.string().max(256),
  node: z.string().max(256),
  operator: z.string().max(64),
  status: z.enum(['pending', 'held', 'batched', 'refused', 'withheld', 'quarantined']),
  reason: z.string().max(4096).nullable(),
  batch: z.object({
    id: hex32,
    root: hex32,
    status: z.enum(['submitting', 'submitted', 'confirmed', 'failed']),
    tx_hash: z.string().max(66).nullable(),
    leaf_index: z.number().int().nonnegative().nullable()
  }).nullable(),
  proof: z.array(hex32).max(256).nullable()
})

export type ReceiptProof = z.infer<typeof receiptProofSchema>

/** The coordinator's proofs route failed or answered something other than its contract. */
export class ProofRequestError extends Error {
  static override readonly name = 'ProofRequestError'
  override readonly name = 'ProofRequestError'
  readonly code = 'proof_request_failed'
}

/**
 * Asks the coordinator (`apiBase` ending in /v1) for a receipt's settlement state and Merkle
 * proof; `undefined` when it has not collected that receipt.
 */
export async function fetchReceiptProof (
  apiBase: string, receiptHash: string, options: { signal?: AbortSignal, timeoutMs?: number } = {}
): Promise<ReceiptProof | undefined> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
  const url = `${apiBase.replace(/\/+$/, '')}/proofs/${receiptHash}`

  let res: Response
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } })
  } catch (err) {
    throw new ProofRequestError(`GET ${url} failed: ${(err as Error).message}`, { cause: err })
  }
  const body: unknown = await res.json().catch(() => undefined)
  if (res.status === 404 && errorCode(body) === 'receipt_not_found') return undefined
  if (res.status !== 200) {
    throw new ProofRequestError(`GET ${url} answered ${res.status}: ${JSON.stringify(body)}`)
  }

  const parsed = receiptProofSchema.safeParse(body)
  if (!parsed.success) {
    throw new ProofRequestError(`GET ${url} answered an unexpected body: ${parsed.error.message}`)
  }
  return parsed.data
}

function errorCode (body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined
  const error = (body as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return undefined
  return (error as { code?: unknown }).code
}
