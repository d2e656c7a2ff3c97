import type { Address, Hex } from 'viem'
import { asHex, asNumber, asRecord, asString } from './decode.ts'

/** Token counts of one completion, as OpenAI reports them. */
export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

/** What a node signs for each completion (EIP-712 typed data, see `hashReceipt`). */
export interface Receipt {
  requestId: string
  model: string
  modelHash: Hex
  promptHash: Hex
  outputHash: Hex
  promptTokens: number
  completionTokens: number
  node: string
  operator: Address
  startedAt: number
  finishedAt: number
}

/** Proof of execution: the receipt's EIP-712 digest and the operator's signature of it. */
export interface ProofOfExecution {
  hash: Hex
  signature: Hex
}

/** Who served a completion and its signed receipt. */
export interface ParalleliXInfo {
  request_id: string
  node: string
  operator: Address
  poe: ProofOfExecution
  receipt: Receipt
}

export function parseUsage (value: unknown, what = 'usage'): Usage {
  const u = asRecord(value, what)
  return {
    prompt_tokens: asNumber(u.prompt_tokens, `${what}.prompt_tokens`),
    completion_tokens: asNumber(u.completion_tokens, `${what}.completion_tokens`),
    total_tokens: asNumber(u.total_tokens, `${what}.total_tokens`)
  }
}

export function parseReceipt (value: unknown, what = 'receipt'): Receipt {
  const r = asRecord(value, what)
  const text = (key: string): string => asString(r[key], `${what}.${key}`)
  const int = (key: string): number => asNumber(r[key], `${what}.${key}`)
  const hex = (key: string): Hex => asHex(r[key], `${what}.${key}`)
  return {
    requestId: text('requestId'),
    model: text('model'),
    modelHash: hex('modelHash'),
    promptHash: hex('promptHash'),
    outputHash: hex('outputHash'),
    promptTokens: int('promptTokens'),
    completionTokens: int('completionTokens'),
    node: text('node'),
    operator: hex('operator'),
    startedAt: int('startedAt'),
    finishedAt: int('finishedAt')
  }
}

export function parsePoe (value: unknown, what = 'poe'): ProofOfExecution {
  const p = asRecord(value, what)
  return { hash: asHex(p.hash, `${what}.hash`), signature: asHex(p.signature, `${what}.signature`) }
}

export function parseParalleliX (value: unknown, what = 'parallelix'): ParalleliXInfo {
  const p = asRecord(value, what)
  return {
    request_id: asString(p.request_id, `${what}.request_id`),
    node: asString(p.node, `${what}.node`),
    operator: asHex(p.operator, `${what}.operator`),
    poe: parsePoe(p.poe, `${what}.poe`),
    receipt: parseReceipt(p.receipt, `${what}.receipt`)
  }
}
