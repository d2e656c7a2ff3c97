import type { JSX } from 'preact'
import { authMode } from '../api/auth-mode.ts'
import { models, refreshModels } from '../api/models.ts'
import { apiBase } from '../api/sdk-client.ts'
import { session } from '../api/session.ts'
import { useStore } from '../state/use-store.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import { PageHeader } from '../ui/page-header.tsx'
import { usePoll } from '../ui/use-poll.ts'
import { SignInButton } from '../wallet/sign-in-button.tsx'
import { AccountCard } from './account-card.tsx'
import { KeysPanel } from './keys-panel.tsx'
import { UsagePanel } from './usage-panel.tsx'

function Endpoint (): JSX.Element {
  const base = apiBase()
  const model = useStore(models).models[0]?.id ?? 'MODEL'
  usePoll(refreshModels, 30_000)
  const curl = `curl ${base}/chat/completions \\\n  -H "Authorization: Bearer $PARALLELIX_KEY" ` +
    `\\\n  -H "Content-Type: application/json" \\\n  -d '{"model": "${model}", "messages": ` +
    `[{"role": "user", "content": "Once upon a time"}]}'`
  return (
    <section class="card">
      <h2 class="card-title">API</h2>
      <p class="muted">OpenAI-compatible. Point any OpenAI client at this base URL.</p>
      <div class="secret">
        <code class="mono" data-testid="api-base">{base}</code>
        <CopyButton text={base} />
      </div>
      <pre class="mono snippet">{curl}</pre>
    </section>
  )
}

/** API keys, usage and the API's address, for the signed-in account. */
export function DeveloperView (): JSX.Element {
  const current = useStore(session)
  const mode = useStore(authMode)
  return (
    <section class="page developer">
      <PageHeader title="Developer" />
      <div class="scroll">
        <div class="content narrow">
          {current === null && mode === 'open' && (
            <section class="card" data-testid="auth-open-card">
              <h2 class="card-title">Open API</h2>
              <p class="muted">
                This coordinator runs without accounts: anyone may call its API without a key
                and nothing is charged. Sign-in, API keys and usage exist where auth is on.
              </p>
            </section>
          )}
          {current === null
            ? mode !== 'open' && (
              <section class="card sign-in-card">
                <h2 class="card-title">Sign in to manage keys</h2>
                <p class="muted">
                  Sign in with your Ethereum wallet (Sign-In with Ethereum) to create API keys
                  and see what your requests cost.
                </p>
                <SignInButton />
              </section>
              )
            : (
              <>
                <AccountCard session={current} />
                <KeysPanel />
                <UsagePanel />
              </>
              )}
          <Endpoint />
        </div>
      </div>
    </section>
  )
}
