import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { refreshBalance } from '../api/balance.ts'
import { ConsoleApiError } from '../api/errors.ts'
import { Icon } from '../ui/icons.tsx'
import { signIn } from './sign-in.ts'
import { connectSigner, hasInjectedWallet } from './signer.ts'

function explain (err: unknown): string {
  if (err instanceof ConsoleApiError && err.status === 404) {
    return 'This coordinator does not offer sign-in (GET /v1/auth/nonce answered 404).'
  }
  return err instanceof Error ? err.message : String(err)
}

/** Signs in with the browser wallet, or the devnet's development wallet when there is none. */
export function SignInButton ({ wide = false }: { wide?: boolean }): JSX.Element {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const start = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await signIn(await connectSigner())
      void refreshBalance()
    } catch (err) {
      setError(explain(err))
    } finally {
      setBusy(false)
    }
  }

  const label = hasInjectedWallet() ? 'Sign in with wallet' : 'Sign in'
  return (
    <div class={`sign-in${wide ? ' wide' : ''}`}>
      <button type="button" class="button primary" disabled={busy}
        onClick={() => { void start() }}>
        <Icon name="wallet" size={16} />
        <span>{busy ? 'Waiting for signature…' : label}</span>
      </button>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
    </div>
  )
}
