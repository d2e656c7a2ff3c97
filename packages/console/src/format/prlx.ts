/** Decimals of the PRLX credit token: amounts travel as integers of 10^-18 PRLX. */
export const PRLX_DECIMALS = 18

const SCALE = 10n ** BigInt(PRLX_DECIMALS)
const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/**
 * Base units as PRLX for people: 4 decimals from 1 PRLX up, 8 below, truncated (a balance
 * is never shown larger than it is) and without trailing zeros.
 */
export function formatPrlx (baseUnits: bigint): string {
  const sign = baseUnits < 0n ? '-' : ''
  const abs = baseUnits < 0n ? -baseUnits : baseUnits
  const whole = abs / SCALE
  const decimals = whole > 0n ? 4 : 8
  const fraction = (abs % SCALE).toString().padStart(PRLX_DECIMALS, '0').slice(0, decimals)
  const trimmed = fraction.replace(/0+$/, '')
  if (abs > 0n && whole === 0n && trimmed === '') return `< 0.${'0'.repeat(decimals - 1)}1 PRLX`
  const integer = grouping.format(whole)
  return `${sign}${integer}${trimmed === '' ? '' : `.${trimmed}`} PRLX`
}

/** A decimal string of base units as PRLX; '—' when absent or not a decimal integer. */
export function formatPrlxString (value: string | null | undefined): string {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return '—'
  return formatPrlx(BigInt(value))
}

/** Base units as a float of PRLX, for charts only (loses precision past 15 digits). */
export function prlxToNumber (baseUnits: bigint): number {
  return Number(baseUnits / 10n ** 6n) / 1e12
}
