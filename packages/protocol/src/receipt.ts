import {
  hashTypedData, keccak256, recoverAddress, stringToBytes, type Hex, type LocalAccount
} from 'viem'
import { canonicalJson } from './canonical-json.ts'
import type { ChatMessage, Receipt, SamplingParams } from './schemas.ts'

/** EIP-712 domain of Proof-of-Execution receipts. */
export const POE_DOMAIN = { name: 'ParalleliX', version: '1' } as const

/** EIP-712 types of a receipt; contracts and every peer hash with exactly these. */
export const POE_TYPES = {
  Receipt: [
    { name: 'requestId', type: 'string' },
    { name: 'model', type: 'string' },
    { name: 'modelHash', type: 'bytes32' },
    { name: 'promptHash', type: 'bytes32' },
    { name: 'outputHash', type: 'bytes32' },
    { name: 'promptTokens', type: 'uint32' },
    { name: 'completionTokens', type: 'uint32' },
    { name: 'node', type: 'string' },
    { name: 'operator', type: 'address' },
    { name: 'startedAt', type: 'uint64' },
    { name: 'finishedAt', type: 'uint64' }
  ]
} as const

/** What a prompt hash commits to: the messages, the sampling and any prefilled text. */
export interface PromptCommitment {
  messages: ChatMessage[]
  params: SamplingParams
  prefill?: string
}

/** keccak256 of the canonical JSON of the messages, sampling parameters and prefill. */
export function hashPrompt (prompt: PromptCommitment): Hex {
  const { messages, params, prefill } = prompt
  return keccak256(stringToBytes(canonicalJson({ messages, params, prefill })))
}

/** keccak256 of the exact UTF-8 bytes of the completion text. */
export function hashOutput (text: string): Hex {
  return keccak256(stringToBytes(text))
}

function typedReceipt (receipt: Receipt) {
  return {
    domain: POE_DOMAIN,
    types: POE_TYPES,
    primaryType: 'Receipt' as const,
    message: {
      ...receipt,
      modelHash: receipt.modelHash as Hex,
      promptHash: receipt.promptHash as Hex,
      outputHash: receipt.outputHash as Hex,
      operator: receipt.operator as Hex,
      startedAt: BigInt(receipt.startedAt),
      finishedAt: BigInt(receipt.finishedAt)
    }
  }
}

/** The EIP-712 digest of a receipt: what the operator signs and what settlement batches. */
export function hashReceipt (receipt: Receipt): Hex {
  return hashTypedData(typedReceipt(receipt))
}

/** Signs a receipt with the operator's key; the signature recovers from `hash` alone. */
export async function signReceipt (
  receipt: Receipt, operator: LocalAccount
): Promise<{ hash: Hex, signature: Hex }> {
  const signature = await operator.signTypedData(typedReceipt(receipt))
  return { hash: hashReceipt(receipt), signature }
}

/** Recovers the address that signed a receipt digest. */
export async function recoverReceiptSigner (hash: Hex, signature: Hex): Promise<Hex> {
  return recoverAddress({ hash, signature })
}
