/**
 * Serialises a JSON value with object keys sorted and no whitespace, so that two peers
 * hashing the same logical value get the same bytes. `undefined` members are dropped, as
 * JSON.stringify does; non-finite numbers are refused because JSON cannot carry them.
 */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value)
  }

  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError('canonical JSON cannot encode a non-finite number')
    }
    return JSON.stringify(value)
  }

  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`
  }

  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }

  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`)
}
