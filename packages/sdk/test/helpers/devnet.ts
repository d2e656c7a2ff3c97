import type { Address } from 'viem'
import type { Devnet } from '../../../../scripts/lib/devnet.ts'
import { startTestDevnet, TEST_MODEL_PATH } from '../../../../scripts/lib/test-devnet.ts'

export { startTestDevnet }

export const MODEL_PATH = TEST_MODEL_PATH

/** The API key a devnet provisions when its coordinator runs with auth; none without. */
export function devnetApiKey (devnet: Devnet): string | undefined {
  return devnet.apiKey
}

/** The devnet's chain RPC and settlement vault, where its devnet deploys one. */
export function devnetChain (devnet: Devnet): { rpcUrl: string, vault: Address } | undefined {
  const chain = (devnet as { chain?: { anvil?: { rpcUrl?: unknown },
    contracts?: { credits?: unknown } } }).chain
  const rpcUrl = chain?.anvil?.rpcUrl
  const vault = chain?.contracts?.credits
  if (typeof rpcUrl !== 'string' || typeof vault !== 'string') return undefined
  return { rpcUrl, vault: vault as Address }
}
