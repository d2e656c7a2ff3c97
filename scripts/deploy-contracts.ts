/**
 * Deploys the ParalleliX contracts to any JSON-RPC endpoint and writes their addresses.
 *
 *   tsx scripts/deploy-contracts.ts --rpc URL --key 0xPRIVATEKEY --out FILE
 *     [--token 0xADDRESS] [--coordinator 0xADDRESS ...] [--share-bps N]
 *     [--withdrawal-delay SECONDS] [--min-stake WEI] [--unbonding-delay SECONDS]
 *     [--max-slash-bps N]
 *
 * Without --token a devnet PRLX is deployed; with it the vault and the registry use that
 * existing token. The key's account becomes admin and treasury.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { deployAll, type DeployAllOptions } from '@parallelix/contracts'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  isAddress,
  isHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

class UsageError extends Error {
  static override name = 'UsageError'
  override name = UsageError.name
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rpc: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      token: { type: 'string' },
      coordinator: { type: 'string', multiple: true },
      'share-bps': { type: 'string' },
      'withdrawal-delay': { type: 'string' },
      'min-stake': { type: 'string' },
      'unbonding-delay': { type: 'string' },
      'max-slash-bps': { type: 'string' },
    },
  })
  const { rpc, key, out } = values
  if (!rpc || !key || !out) throw new UsageError('--rpc, --key and --out are required')
  if (!isHex(key) || key.length !== 66) throw new UsageError('--key must be a 32-byte hex key')
  const addresses = [values.token, ...(values.coordinator ?? [])].filter((a) => a !== undefined)
  const bad = addresses.find((a) => !isAddress(a))
  if (bad) throw new UsageError(`not an address: ${bad}`)
  const big = (v: string | undefined) => (v === undefined ? undefined : BigInt(v))

  const options: DeployAllOptions = {
    token: values.token as Address | undefined,
    coordinators: (values.coordinator ?? []) as Address[],
    shareBps: big(values['share-bps']),
    withdrawalDelay: big(values['withdrawal-delay']),
    minStake: big(values['min-stake']),
    unbondingDelay: big(values['unbonding-delay']),
    maxSlashBps: big(values['max-slash-bps']),
  }
  return { rpc, key: key as Hex, out, options }
}

async function main(): Promise<void> {
  const { rpc, key, out, options } = parse(process.argv.slice(2))
  const transport = http(rpc)
  const publicClient = createPublicClient({ transport, pollingInterval: 250 })
  const chainId = await publicClient.getChainId()
  const account = privateKeyToAccount(key)
  const walletClient = createWalletClient({ account, transport })
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as DeployAllOptions

  const deployment = await deployAll(walletClient, publicClient, defined)

  const record = {
    chainId,
    deployer: account.address,
    ...deployment,
    coordinators: options.coordinators,
    blockNumber: (await publicClient.getBlockNumber()).toString(),
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`)
  console.log(`deployed to chain ${chainId}: ${JSON.stringify(deployment)} -> ${out}`)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err)
  process.exitCode = 1
})
