import type { JSX } from 'preact'
import { balance } from '../api/balance.ts'
import type { Session } from '../api/session.ts'
import { formatPrlx } from '../format/prlx.ts'
import { formatDateTime } from '../format/text.ts'
import { useStore } from '../state/use-store.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import { signOut } from '../wallet/sign-in.ts'

/** Who is signed in, their credit and until when the session lasts. */
export function AccountCard ({ session }: { session: Session }): JSX.Element {
  const credits = useStore(balance)
  return (
    <section class="card" data-testid="session-info" aria-labelledby="account-title">
      <div class="card-head">
        <h2 id="account-title" class="card-title">Account</h2>
        <button type="button" class="button small" onClick={signOut}>Sign out</button>
      </div>
      <div class="secret">
        <code class="mono">{session.account}</code>
        <CopyButton text={session.account} />
      </div>
      <div class="totals">
        <div><span class="label">Balance</span>
          <span class="value">{credits === null ? '—' : formatPrlx(credits)}</span></div>
        <div><span class="label">Session until</span>
          <span class="value small-value">{formatDateTime(session.expiresAt)}</span></div>
        <div><span class="label">Spending authorization</span>
          <span class="value small-value">
            {session.authorizationNote === undefined ? 'Signed' : 'None'}
          </span></div>
      </div>
      {session.authorizationNote !== undefined && (
        <p class="notice" data-testid="authorization-note">
          No spending authorization was signed. {session.authorizationNote}. Requests that
          cost credits are refused until one is.
        </p>
      )}
    </section>
  )
}
