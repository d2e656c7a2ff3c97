import { hashTypedData, recoverAddress, type Address, type Hex } from 'viem'
import type { Receipt } from './wire.ts'

/** EIP-712 domain of proof-of-execution receipts. */
export const POE_DOMAIN = { name: 'ParalleliX', version: '1' } as const

/** EIP-712 types of a receipt, field for field what nodes sign and settlement batches. */
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

/** The EIP-712 digest of a receipt: what its operator signs. */
export function hashReceipt (receipt: Receipt): Hex {
  return hashTypedData({
    domain: POE_DOMAIN,
    types: POE_TYPES,
    primaryType: 'Receipt',
    message: {
      ...receipt,
      startedAt: BigInt(receipt.startedAt),
      finishedAt: BigInt(receipt.finishedAt)
    }
  })
}

/** The address that signed a receipt digest. */
export async function recoverReceiptSigner (hash: Hex, signature: Hex): Promise<Address> {
  return await recoverAddress({ hash, signature })
}
