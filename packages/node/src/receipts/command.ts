import { join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { parseArgs } from 'node:util'
import { isAddress, type Address } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { loadOrCreateOperatorKey } from '../keys.ts'
import { claimEarnings } from './claim.ts'
import { RECEIPT_LOG_FILE } from './receipt-log.ts'
import { verifyReceipts } from './verify.ts'

export const RECEIPTS_USAGE = `parallelix-node receipts claim|verify

  claim: claim settled earnings from the vault
    --rpc-url URL        JSON-RPC of the vault's chain (required)
    --chain-id N         chain id (required)
    --credits ADDRESS    the ParalleliXAICredits vault (required)
    --to ADDRESS         recipient (default: the operator)
    --data-dir DIR       where operator.key lives (default: ~/.parallelix/node)

  verify: check that every receipt in <data-dir>/receipts.jsonl was settled on chain
    --coordinator URL    the coordinator's API base, ending in /v1 (required)
    --rpc-url URL        JSON-RPC of the vault's chain (required)
    --chain-id N         chain id (required)
    --credits ADDRESS    the ParalleliXAICredits vault whose batch roots are checked (required)
    --data-dir DIR       where receipts.jsonl and operator.key live (default: ~/.parallelix/node)
    Prints { operator, total, settled, pending, refused, unknown, invalid }; exits 1 when
    a receipt is invalid (bad signature, a proof that does not verify, a root the vault
    does not hold).

  The operator key is read from PARALLELIX_OPERATOR_KEY or <data-dir>/operator.key.`

/** `parallelix-node receipts <action>`; prints one JSON line with the result. */
export async function receiptsCommand (argv: string[]): Promise<void> {
  const [action, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      coordinator: { type: 'string' },
      'rpc-url': { type: 'string' },
      'chain-id': { type: 'string' },
      credits: { type: 'string' },
      to: { type: 'string' },
      'data-dir': { type: 'string', default: join(homedir(), '.parallelix', 'node') }
    }
  })
  if (action !== 'claim' && action !== 'verify') {
    console.log(RECEIPTS_USAGE)
    if (action !== undefined && action !== 'help') throw new Error(`unknown action ${action}`)
    return
  }
  const { 'rpc-url': rpcUrl, 'chain-id': chainId, credits, to } = values
  if (rpcUrl === undefined || chainId === undefined || credits === undefined) {
    throw new Error('--rpc-url, --chain-id and --credits are required')
  }
  if (!isAddress(credits)) throw new Error('--credits must be an address')
  if (!/^[1-9][0-9]*$/.test(chainId)) throw new Error('--chain-id must be a positive integer')
  const vault = { rpcUrl, chainId: Number(chainId), credits: credits as Address }
  const dataDir = resolve(values['data-dir'])

  if (action === 'verify') {
    if (values.coordinator === undefined) throw new Error('--coordinator is required')
    const operator = await loadExistingOperatorKey(dataDir)
    const summary = await verifyReceipts({
      logPath: join(dataDir, RECEIPT_LOG_FILE), operator: operator.address,
      coordinator: values.coordinator, vault
    })
    console.log(JSON.stringify(summary))
    if (summary.invalid.length > 0) process.exitCode = 1
    return
  }

  if (to !== undefined && !isAddress(to)) throw new Error('--to must be an address')
  const operator = await loadOrCreateOperatorKey(
    join(dataDir, 'operator.key'), process.env.PARALLELIX_OPERATOR_KEY)
  const result = await claimEarnings(vault, operator, to as Address | undefined)
  console.log(JSON.stringify({
    operator: result.operator, to: result.to, amount: result.amount.toString(),
    tx_hash: result.txHash
  }))
}

/** Verifying never creates a key: a missing one means the wrong data directory. */
async function loadExistingOperatorKey (dataDir: string): Promise<PrivateKeyAccount> {
  const path = join(dataDir, 'operator.key')
  const explicit = process.env.PARALLELIX_OPERATOR_KEY
  if ((explicit === undefined || explicit === '') && !existsSync(path)) {
    throw new Error(`no operator key: set PARALLELIX_OPERATOR_KEY or create ${path}`)
  }
  return loadOrCreateOperatorKey(path, explicit)
}
