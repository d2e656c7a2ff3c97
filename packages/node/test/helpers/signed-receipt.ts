import { signReceipt, type Receipt } from '@parallelix/protocol'
import type { LocalAccount } from 'viem'
import type { LoggedReceipt } from '../../src/receipts/receipt-log.ts'

const zero32 = `0x${'00'.repeat(32)}`

/** A receipt signed by `account` as a node would log it; `over` changes its fields. */
export async function signedEntry (
  account: LocalAccount, over: Partial<Receipt> = {}
): Promise<LoggedReceipt> {
  const receipt: Receipt = {
    requestId: `req_${Math.random().toString(36).slice(2)}`,
    model: 'stories260K',
    modelHash: zero32,
    promptHash: zero32,
    outputHash: zero32,
    promptTokens: 5,
    completionTokens: 7,
    node: '12D3KooWtest',
    operator: account.address,
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_000_500,
    ...over
  }
  const { hash, signature } = await signReceipt(receipt, account)
  return { receipt, hash, signature, finishReason: 'stop' }
}
