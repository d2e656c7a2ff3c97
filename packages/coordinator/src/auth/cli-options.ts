import type { ParseArgsConfig } from 'node:util'
import { isAddress, type Address } from 'viem'
import type { CoordinatorConfig } from '../coordinator.ts'

/** Command-line flags of accounts, credit and the vault, for parseArgs. */
export const ACCOUNT_OPTIONS = {
  'no-auth': { type: 'boolean', default: false },
  'siwe-domain': { type: 'string' },
  'coordinator-key': { type: 'string' },
  'rpc-url': { type: 'string' },
  'chain-id': { type: 'string' },
  credits: { type: 'string' },
  confirmations: { type: 'string' },
  'from-block': { type: 'string' },
  'vault-poll-ms': { type: 'string' },
  rate: { type: 'string', multiple: true, default: [] as string[] },
  'default-rate': { type: 'string' }
} satisfies NonNullable<ParseArgsConfig['options']>

export const ACCOUNT_USAGE = `
  Accounts and credit (auth is on unless --no-auth):
  --no-auth                open API, nothing charged (for tests of other areas only)
  --siwe-domain HOST       authority sign-in messages must name (default: HTTP host:port)
  --coordinator-key HEX    key holding the vault's COORDINATOR_ROLE; better in the environment
                           as PARALLELIX_COORDINATOR_KEY
  --rpc-url URL            JSON-RPC of the vault's chain (with --chain-id and --credits)
  --chain-id N             chain id of the vault
  --credits ADDRESS        the ParalleliXAICredits vault
  --confirmations N        blocks a deposit needs, its own included (default: 2)
  --from-block N           first block to scan: the vault's deployment block (default: 0)
  --vault-poll-ms N        how often the vault's logs are read (default: 2000)
  --rate MODEL=UNITS       price of one token of MODEL in PRLX base units (repeatable)
  --default-rate UNITS     price of one token of other models (default: 1000000000000)`

interface AccountValues {
  'no-auth'?: boolean
  'siwe-domain'?: string
  'coordinator-key'?: string
  'rpc-url'?: string
  'chain-id'?: string
  credits?: string
  confirmations?: string
  'from-block'?: string
  'vault-poll-ms'?: string
  rate?: string[]
  'default-rate'?: string
}

/** The part of the coordinator's config the account flags set. */
export function accountConfig (values: AccountValues): Partial<CoordinatorConfig> {
  const rates: Record<string, bigint> = {}
  for (const spec of values.rate ?? []) {
    const at = spec.lastIndexOf('=')
    if (at <= 0) throw new Error(`--rate takes MODEL=UNITS, not ${spec}`)
    rates[spec.slice(0, at)] = units(spec.slice(at + 1), '--rate')
  }
  return {
    auth: values['no-auth'] !== true,
    siweDomain: values['siwe-domain'],
    coordinatorKey: values['coordinator-key'],
    rates,
    defaultRate: values['default-rate'] === undefined
      ? undefined
      : units(values['default-rate'], '--default-rate'),
    chain: chainConfig(values)
  }
}

function chainConfig (values: AccountValues): CoordinatorConfig['chain'] {
  const { 'rpc-url': rpcUrl, 'chain-id': chainId, credits } = values
  if (rpcUrl === undefined && chainId === undefined && credits === undefined) return undefined
  if (rpcUrl === undefined || chainId === undefined || credits === undefined) {
    throw new Error('--rpc-url, --chain-id and --credits go together')
  }
  if (!isAddress(credits)) throw new Error('--credits must be an address')
  return {
    rpcUrl,
    chainId: Number(units(chainId, '--chain-id')),
    credits: credits as Address,
    confirmations: optional(values.confirmations, '--confirmations'),
    pollIntervalMs: optional(values['vault-poll-ms'], '--vault-poll-ms'),
    fromBlock: values['from-block'] === undefined
      ? undefined
      : units(values['from-block'], '--from-block')
  }
}

function units (value: string, flag: string): bigint {
  if (!/^[0-9]{1,78}$/.test(value)) throw new Error(`${flag} must be a non-negative integer`)
  return BigInt(value)
}

function optional (value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : Number(units(value, flag))
}
