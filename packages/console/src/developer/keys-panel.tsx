import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { formatDateTime } from '../format/text.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import { Icon } from '../ui/icons.tsx'
import { usePoll } from '../ui/use-poll.ts'
import { createKey, listKeys, revokeKey, type ApiKeyRow, type CreatedKey } from './keys-api.ts'

function NewKey ({ created, onDone }: { created: CreatedKey, onDone: () => void }): JSX.Element {
  return (
    <div class="new-key" data-testid="new-key" role="status">
      <p><strong>{created.name}</strong> is ready. Copy it now: it is shown only this once.</p>
      <div class="secret">
        <code class="mono" data-testid="new-key-secret">{created.key}</code>
        <CopyButton text={created.key} />
      </div>
      <button type="button" class="button ghost small" onClick={onDone}>Done</button>
    </div>
  )
}

/** Create, list and revoke the account's API keys. */
export function KeysPanel (): JSX.Element {
  const [keys, setKeys] = useState<ApiKeyRow[] | null>(null)
  const [name, setName] = useState('')
  const [created, setCreated] = useState<CreatedKey | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  usePoll(async (signal) => {
    try {
      setKeys(await listKeys(signal))
    } catch (err) {
      if (!signal.aborted) setError((err as Error).message)
    }
  }, 30_000, [version])

  const run = async (action: () => Promise<void>): Promise<void> => {
    setError(null)
    try {
      await action()
      setVersion((v) => v + 1)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title" class="card-title"><Icon name="key" /> API keys</h2>
      <p class="muted">Use a key as <code>Authorization: Bearer pk_live_…</code> with any
        OpenAI client.</p>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault()
        const trimmed = name.trim()
        if (trimmed === '') return
        void run(async () => {
          setCreated(await createKey(trimmed))
          setName('')
        })
      }}>
        <input class="input" value={name} placeholder="Key name, e.g. laptop" maxLength={64}
          aria-label="Key name" data-testid="key-name"
          onInput={(e) => { setName((e.target as HTMLInputElement).value) }} />
        <button type="submit" class="button primary" disabled={name.trim() === ''}>
          Create key
        </button>
      </form>
      {created !== null && <NewKey created={created} onDone={() => { setCreated(null) }} />}
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      <div class="table-card flat">
        <table class="keys" data-testid="keys-table">
          <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Status</th><th /></tr></thead>
          <tbody>
            {(keys ?? []).map((k) => (
              <tr key={k.id} data-testid="key-row" data-key-id={k.id}
                data-revoked={k.revokedAt !== null}>
                <td data-label="Name">{k.name}</td>
                <td data-label="Key"><code class="mono">{k.redacted}</code></td>
                <td data-label="Created">{formatDateTime(k.createdAt)}</td>
                <td data-label="Status">
                  {k.revokedAt === null
                    ? <span class="badge ok">active</span>
                    : <span class="badge muted-badge" title={formatDateTime(k.revokedAt)}>
                      revoked</span>}
                </td>
                <td class="actions">
                  {k.revokedAt === null && (
                    <button type="button" class="button danger small"
                      onClick={() => { void run(async () => { await revokeKey(k.id) }) }}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {keys !== null && keys.length === 0 && <p class="empty-table muted">No keys yet.</p>}
      </div>
    </section>
  )
}
