import type { z } from 'zod'
import { invalidRequest } from '../errors.ts'

/** Validates a request body (or query) with `schema`; errors name the offending field. */
export function parseBody<S extends z.ZodType> (schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {})
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const param = issue?.path.join('.') ?? ''
  throw invalidRequest(`Invalid value for '${param === '' ? 'body' : param}': ` +
    `${issue?.message ?? 'invalid'}`, param === '' ? null : param)
}
