import {
  hashOutput, hashPrompt, hashReceipt, recoverReceiptSigner, type FinalFrame, type InferRequest
} from '@parallelix/protocol'
import type { Hex } from 'viem'
import type { PoolNode } from '../mesh/registry.ts'

export type ReceiptRejection =
  | 'request_mismatch' | 'node_mismatch' | 'model_mismatch' | 'prompt_mismatch'
  | 'output_mismatch' | 'token_count_mismatch' | 'hash_mismatch' | 'bad_signature'

/** A receipt that fails a check; `reason` is stable and stored with the refused receipt. */
export class ReceiptRejectedError extends Error {
  static override readonly name = 'ReceiptRejectedError'
  override readonly name = 'ReceiptRejectedError'
  readonly reason: ReceiptRejection

  constructor (reason: ReceiptRejection, message: string) {
    super(message)
    this.reason = reason
  }
}

export interface ReceiptExpectation {
  request: InferRequest
  node: PoolNode
  /** The text the coordinator relayed to its client. */
  text: string
  /** Tokens the coordinator counted from the frames it relayed. */
  countedTokens: number
}

/**
 * Checks a node's final frame against what this coordinator sent and relayed: the digest
 * is of this receipt, the signature recovers to the operator the node advertised, and the
 * request, node, model, prompt, output and token counts are the ones observed here.
 */
export async function verifyReceipt (final: FinalFrame, expect: ReceiptExpectation): Promise<void> {
  const { receipt } = final
  const { request, node } = expect
  const fail = (reason: ReceiptRejection, message: string): never => {
    throw new ReceiptRejectedError(reason, message)
  }

  if (receipt.requestId !== request.requestId) {
    fail('request_mismatch', `receipt is for request ${receipt.requestId}`)
  }
  if (receipt.node !== node.peerId) fail('node_mismatch', `receipt names node ${receipt.node}`)
  const advertised = node.advert.models.find((m) => m.id === request.model)
  if (receipt.model !== request.model || advertised?.modelHash !== receipt.modelHash) {
    fail('model_mismatch', `receipt model ${receipt.model} ${receipt.modelHash} is not the ` +
      'one the node advertised')
  }
  if (receipt.promptHash !== hashPrompt(request)) {
    fail('prompt_mismatch', 'promptHash does not match the request sent')
  }
  if (receipt.outputHash !== hashOutput(expect.text)) {
    fail('output_mismatch', 'outputHash does not match the text relayed')
  }
  if (receipt.completionTokens !== expect.countedTokens ||
      final.usage.completionTokens !== receipt.completionTokens ||
      final.usage.promptTokens !== receipt.promptTokens) {
    fail('token_count_mismatch', `receipt claims ${receipt.completionTokens} completion tokens, ` +
      `${expect.countedTokens} were relayed`)
  }
  if (final.hash !== hashReceipt(receipt)) fail('hash_mismatch', 'hash is not the receipt digest')

  let signer: Hex | undefined
  try {
    signer = await recoverReceiptSigner(final.hash as Hex, final.signature as Hex)
  } catch {
    signer = undefined
  }
  if (signer?.toLowerCase() !== node.advert.operator.toLowerCase()) {
    fail('bad_signature', `receipt signed by ${signer ?? 'nobody'}, node advertised operator ` +
      node.advert.operator)
  }
}
