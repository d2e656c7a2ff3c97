import { InvalidResponseError } from './errors.ts'

/** A JSON object from the API, or InvalidResponseError naming what was expected. */
export function asRecord (value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResponseError(`${what} is not an object`)
  }
  return value as Record<string, unknown>
}

export function asArray (value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidResponseError(`${what} is not an array`)
  return value
}

export function asString (value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidResponseError(`${what} is not a string`)
  return value
}

export function asNumber (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidResponseError(`${what} is not a number`)
  }
  return value
}

export function asHex (value: unknown, what: string): `0x${string}` {
  const s = asString(value, what)
  if (!/^0x[0-9a-fA-F]*$/.test(s)) throw new InvalidResponseError(`${what} is not hex`)
  return s as `0x${string}`
}
