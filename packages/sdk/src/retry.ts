import { ApiError, ConnectionError } from './errors.ts'
import {
  INITIAL_RETRY_DELAY_MS, MAX_RETRY_AFTER_MS, MAX_RETRY_DELAY_MS, RETRY_JITTER
} from './constants.ts'

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504])

/** Whether a failed attempt may succeed if repeated: network faults, 408/409/429 and 5xx. */
export function isRetryable (err: unknown): boolean {
  if (err instanceof ConnectionError) return true
  if (!(err instanceof ApiError) || err.status === null) return false
  if (err.code === 'insufficient_quota' || err.code === 'insufficient_balance') return false
  return RETRYABLE_STATUS.has(err.status)
}

/**
 * Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date) into a
 * wait in milliseconds; undefined when absent or unreadable.
 */
export function parseRetryAfter (headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) {
    return Math.max(0, Number(ms))
  }
  const value = headers.get('retry-after')
  if (value === null || value.trim() === '') return undefined
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The wait before retry number `retry` (0 for the first): the server's Retry-After when it
 * gave a sane one, else exponential backoff with jitter.
 */
export function retryDelay (
  retry: number, retryAfterMs: number | undefined, random: () => number = Math.random
): number {
  if (retryAfterMs !== undefined && retryAfterMs <= MAX_RETRY_AFTER_MS) return retryAfterMs
  const step = Math.min(MAX_RETRY_DELAY_MS, INITIAL_RETRY_DELAY_MS * 2 ** retry)
  return step * (1 - RETRY_JITTER * random())
}
