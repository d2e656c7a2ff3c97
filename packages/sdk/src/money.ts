import { InvalidResponseError } from './errors.ts'

const DECIMAL = /^(0|[1-9][0-9]*)$/

/**
 * Reads an amount of base units sent as a decimal string (as the API does, so that no
 * amount is ever rounded through a float); also accepts a safe integer or a bigint.
 */
export function parseBaseUnits (value: unknown, what = 'amount'): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value
  if (typeof value === 'string' && DECIMAL.test(value)) return BigInt(value)
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value)
  }
  throw new InvalidResponseError(`${what} is not a non-negative decimal string: ${String(value)}`)
}

/** The same, for a field the API may leave out: absent or null reads as undefined. */
export function parseOptionalBaseUnits (value: unknown, what = 'amount'): bigint | undefined {
  return value === undefined || value === null ? undefined : parseBaseUnits(value, what)
}
