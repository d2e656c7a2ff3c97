import type { z } from 'zod'
import { FrameTooLargeError, InvalidMessageError } from './errors.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Encodes a wire message as UTF-8 JSON, refusing it if it is over `limit` bytes. */
export function encodeMessage (message: unknown, limit: number): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message))
  if (bytes.byteLength > limit) {
    throw new FrameTooLargeError(bytes.byteLength, limit)
  }
  return bytes
}

/**
 * Decodes and validates one wire message. Everything past this function sees only data
 * that matched `schema`; anything else raises a ProtocolError that names the problem.
 */
export function decodeMessage<S extends z.ZodType> (
  bytes: Uint8Array, schema: S, limit: number
): z.infer<S> {
  if (bytes.byteLength > limit) {
    throw new FrameTooLargeError(bytes.byteLength, limit)
  }

  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes))
  } catch (err) {
    throw new InvalidMessageError('frame is not valid UTF-8 JSON', { cause: err })
  }

  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new InvalidMessageError(`invalid message${where}: ${issue?.message ?? 'unknown'}`)
  }
  return parsed.data
}
