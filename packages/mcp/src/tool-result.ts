import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** JSON with bigints (amounts in base units) written as decimal strings. */
export function toJson (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => typeof v === 'bigint' ? v.toString() : v, 2)
}

export function jsonResult (value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: toJson(value) }] }
}

/**
 * A failure as the calling model should see it: a tool error naming what failed and the API's
 * stable code, never an exception that would end the session.
 */
export function toolError (tool: string, err: unknown): CallToolResult {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown }).code
  const suffix = typeof code === 'string' ? ` (${code})` : ''
  return { isError: true, content: [{ type: 'text', text: `${tool} failed: ${message}${suffix}` }] }
}
