import type { ParseArgsConfig } from 'node:util'
import type { SettlementOptions } from './worker.ts'
import type { SpotCheckOptions } from '../poe/spot-checker.ts'

/** Share of deterministic requests replayed when --spot-check-rate is not given. */
export const DEFAULT_SPOT_CHECK_RATE = 0.01

/** Command-line flags of the settlement worker, for parseArgs. */
export const SETTLEMENT_OPTIONS = {
  'settle-every-receipts': { type: 'string' },
  'settle-interval-ms': { type: 'string' },
  'no-settlement': { type: 'boolean', default: false },
  'spot-check-rate': { type: 'string' },
  'spot-check-slash-bps': { type: 'string' }
} satisfies NonNullable<ParseArgsConfig['options']>

export const SETTLEMENT_USAGE = `
  Settlement (runs with a vault and a coordinator key unless --no-settlement):
  --settle-every-receipts N   settle once N receipts wait (default: 100)
  --settle-interval-ms N      ...or once the oldest waiting receipt is this old (default: 60000)
  --no-settlement             never settle on chain
  --spot-check-rate F         share of deterministic requests (temperature 0 or a seed)
                              replayed on other hardware to catch a node that did not run
                              the model it claims (default: ${DEFAULT_SPOT_CHECK_RATE}; 0: off)
  --spot-check-slash-bps N    slash a caught operator by N basis points of its stake, within
                              the registry's limit (default: 0, never)`

interface SettlementValues {
  'settle-every-receipts'?: string
  'settle-interval-ms'?: string
  'no-settlement'?: boolean
  'spot-check-rate'?: string
  'spot-check-slash-bps'?: string
}

/** The settlement part of the coordinator's config; false with --no-settlement. */
export function settlementConfig (values: SettlementValues): SettlementOptions | false {
  if (values['no-settlement'] === true) return false
  return {
    everyReceipts: positive(values['settle-every-receipts'], '--settle-every-receipts'),
    intervalMs: positive(values['settle-interval-ms'], '--settle-interval-ms')
  }
}

/** The spot-check part of the coordinator's config; false when the rate is 0. */
export function spotCheckConfig (values: SettlementValues): SpotCheckOptions | false {
  const raw = values['spot-check-rate']
  const rate = raw === undefined ? DEFAULT_SPOT_CHECK_RATE : Number(raw)
  if (raw !== undefined && (raw.trim() === '' || !(rate >= 0 && rate <= 1))) {
    throw new Error('--spot-check-rate must be a number from 0 to 1')
  }
  const bps = values['spot-check-slash-bps'] ?? '0'
  if (!/^\d{1,5}$/.test(bps) || BigInt(bps) > 10_000n) {
    throw new Error('--spot-check-slash-bps must be an integer from 0 to 10000')
  }
  return rate === 0 ? false : { rate, slashBps: BigInt(bps) }
}

function positive (value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer`)
  return n
}
