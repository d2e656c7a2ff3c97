import { createHash, randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** Base62 digits of 32 random bytes: ceil(256 / log2(62)). */
const SECRET_LENGTH = 43

/** Prefix of API keys: the rest is 32 random bytes in base62. */
export const API_KEY_PREFIX = 'pk_live_'
/** Prefix of session tokens issued at sign-in. */
export const SESSION_PREFIX = 'ps_'

/** Big-endian base62 of `bytes`, left-padded with zeros to `length` digits. */
export function base62 (bytes: Uint8Array, length: number): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`)
  let out = ''
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out
    n /= 62n
  }
  return out.padStart(length, '0')
}

/** A fresh secret: `prefix` then 32 random bytes in base62 (43 digits). */
export function newSecret (prefix: string): string {
  return prefix + base62(randomBytes(32), SECRET_LENGTH)
}

/** Whether `token` has the shape of a secret with `prefix` (it may still be unknown). */
export function isSecret (token: string, prefix: string): boolean {
  if (!token.startsWith(prefix) || token.length !== prefix.length + SECRET_LENGTH) return false
  for (let i = prefix.length; i < token.length; i++) {
    if (!ALPHABET.includes(token[i]!)) return false
  }
  return true
}

/** How secrets are stored: the hex sha256 of the whole token. */
export function hashSecret (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A short random id with a readable prefix, e.g. `key_3fA9…`. */
export function newId (prefix: string): string {
  return `${prefix}_${base62(randomBytes(12), 17)}`
}
