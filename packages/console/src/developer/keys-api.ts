import { requestJson } from '../api/request.ts'
import { toEpochMs } from '../format/text.ts'

/** An API key as listed: never its secret, only enough to recognise it. */
export interface ApiKeyRow {
  id: string
  name: string
  /** e.g. `pk_live_…a1B2`. */
  redacted: string
  createdAt: number | null
  revokedAt: number | null
}

/** A key just created: `key` is the secret, shown this once. */
export interface CreatedKey {
  id: string
  name: string
  key: string
}

type Json = Record<string, unknown>

function row (raw: Json): ApiKeyRow {
  const prefix = typeof raw.prefix === 'string' ? raw.prefix : ''
  const last4 = typeof raw.last4 === 'string' ? raw.last4 : ''
  return {
    id: String(raw.id),
    name: typeof raw.name === 'string' ? raw.name : '',
    redacted: typeof raw.redacted_value === 'string'
      ? raw.redacted_value
      : typeof raw.redacted === 'string' ? raw.redacted : `${prefix}…${last4}`,
    createdAt: toEpochMs(raw.created_at),
    revokedAt: toEpochMs(raw.revoked_at)
  }
}

/** GET /v1/keys: the signed-in account's keys, revoked ones included. */
export async function listKeys (signal?: AbortSignal): Promise<ApiKeyRow[]> {
  const body = await requestJson<{ data?: Json[] }>('/v1/keys', { signal })
  return (body.data ?? []).map(row)
}

/** POST /v1/keys: a new key named `name`; its secret comes as `value` (or `key`). */
export async function createKey (name: string): Promise<CreatedKey> {
  const body = await requestJson<Json>('/v1/keys', { method: 'POST', body: { name } })
  const key = body.value ?? body.key
  if (typeof key !== 'string') throw new Error('The new key came without its secret')
  return { id: String(body.id), name: String(body.name ?? name), key }
}

/** DELETE /v1/keys/{id}: the key stops working at once. */
export async function revokeKey (id: string): Promise<void> {
  await requestJson<unknown>(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' })
}
