import { join, resolve } from 'node:path'
import { homedir } from 'node:os'
import { parseArgs } from 'node:util'
import { isAddress, type Address } from 'viem'
import { loadOrCreateOperatorKey } from '../keys.ts'
import { claimEarnings } from './claim.ts'

export const RECEIPTS_USAGE = `parallelix-node receipts claim: claim settled earnings

  --rpc-url URL        JSON-RPC of the vault's chain (required)
  --chain-id N         chain id (required)
  --credits ADDRESS    the ParalleliXAICredits vault (required)
  --to ADDRESS         recipient (default: the operator)
  --data-dir DIR       where operator.key lives (default: ~/.parallelix/node)

  The operator key is read from PARALLELIX_OPERATOR_KEY or <data-dir>/operator.key.`

/** `parallelix-node receipts <action>`; prints one JSON line with the result. */
export async function receiptsCommand (argv: string[]): Promise<void> {
  const [action, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      'rpc-url': { type: 'string' },
      'chain-id': { type: 'string' },
      credits: { type: 'string' },
      to: { type: 'string' },
      'data-dir': { type: 'string', default: join(homedir(), '.parallelix', 'node') }
    }
  })
  if (action !== 'claim') {
    console.log(RECEIPTS_USAGE)
    if (action !== undefined && action !== 'help') throw new Error(`unknown action ${action}`)
    return
  }
  const { 'rpc-url': rpcUrl, 'chain-id': chainId, credits, to } = values
  if (rpcUrl === undefined || chainId === undefined || credits === undefined) {
    throw new Error('--rpc-url, --chain-id and --credits are required')
  }
  if (!isAddress(credits)) throw new Error('--credits must be an address')
  if (to !== undefined && !isAddress(to)) throw new Error('--to must be an address')
  const operator = await loadOrCreateOperatorKey(
    join(resolve(values['data-dir']), 'operator.key'), process.env.PARALLELIX_OPERATOR_KEY)

  const result = await claimEarnings(
    { rpcUrl, chainId: Number(chainId), credits: credits as Address }, operator,
    to as Address | undefined)
  console.log(JSON.stringify({
    operator: result.operator, to: result.to, amount: result.amount.toString(),
    tx_hash: result.txHash
  }))
}
