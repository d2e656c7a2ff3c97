import type { ParseArgsConfig } from 'node:util'
import type { SettlementOptions } from './worker.ts'

/** Command-line flags of the settlement worker, for parseArgs. */
export const SETTLEMENT_OPTIONS = {
  'settle-every-receipts': { type: 'string' },
  'settle-interval-ms': { type: 'string' },
  'no-settlement': { type: 'boolean', default: false }
} satisfies NonNullable<ParseArgsConfig['options']>

export const SETTLEMENT_USAGE = `
  Settlement (runs with a vault and a coordinator key unless --no-settlement):
  --settle-every-receipts N   settle once N receipts wait (default: 100)
  --settle-interval-ms N      ...or once the oldest waiting receipt is this old (default: 60000)
  --no-settlement             never settle on chain`

interface SettlementValues {
  'settle-every-receipts'?: string
  'settle-interval-ms'?: string
  'no-settlement'?: boolean
}

/** The settlement part of the coordinator's config; false with --no-settlement. */
export function settlementConfig (values: SettlementValues): SettlementOptions | false {
  if (values['no-settlement'] === true) return false
  return {
    everyReceipts: positive(values['settle-every-receipts'], '--settle-every-receipts'),
    intervalMs: positive(values['settle-interval-ms'], '--settle-interval-ms')
  }
}

function positive (value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer`)
  return n
}
