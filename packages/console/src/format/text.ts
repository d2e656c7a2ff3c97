/** `0x1234…abcd`: the start and the end of a long identifier. */
export function shortMiddle (value: string, head = 6, tail = 4): string {
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`
}

const integers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

/** A count with thousands separators. */
export function formatCount (n: number): string {
  return integers.format(n)
}

/** A rate such as tokens per second: one decimal below 100, none above. */
export function formatRate (n: number): string {
  return n < 100 ? oneDecimal.format(n) : integers.format(n)
}

/** A size in bytes as B, KB, MB, GB (powers of 1024). */
export function formatBytes (bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : oneDecimal.format(value)} ${units[unit]}`
}

/**
 * A timestamp as the API may send it (epoch seconds, epoch ms or an ISO string) in epoch
 * ms; null when it is none of those.
 */
export function toEpochMs (value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value < 1e11 ? value * 1000 : value
  }
  if (typeof value === 'string' && value !== '') {
    if (/^\d+$/.test(value)) return toEpochMs(Number(value))
    const parsed = Date.parse(value)
    return Number.isNaN(parsed) ? null : parsed
  }
  return null
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date and time in the reader's locale; '—' when absent. */
export function formatDateTime (epochMs: number | null): string {
  return epochMs === null ? '—' : dateTime.format(epochMs)
}
