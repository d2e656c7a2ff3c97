import type { JSX } from 'preact'
import { authMode } from '../api/auth-mode.ts'
import { balance, refreshBalance } from '../api/balance.ts'
import { session, type Session } from '../api/session.ts'
import { formatPrlx } from '../format/prlx.ts'
import { shortMiddle } from '../format/text.ts'
import { useStore } from '../state/use-store.ts'
import { Icon } from '../ui/icons.tsx'
import { usePoll } from '../ui/use-poll.ts'
import { SignInButton } from './sign-in-button.tsx'
import { signOut } from './sign-in.ts'

const BALANCE_REFRESH_MS = 15_000

function SignedIn ({ current }: { current: Session }): JSX.Element {
  const credits = useStore(balance)
  return (
    <>
      <div class="balance">
        <span class="label">Balance</span>
        <span class="value" data-testid="balance">
          {credits === null ? '—' : formatPrlx(credits)}
        </span>
      </div>
      <div class="signed-in">
        <span class="avatar" aria-hidden="true" />
        <span class="address mono" title={current.account} data-testid="account">
          {shortMiddle(current.account)}
        </span>
        <button type="button" class="button ghost icon-only" aria-label="Sign out"
          title="Sign out" onClick={signOut}>
          <Icon name="logout" size={16} />
        </button>
      </div>
    </>
  )
}

/** The sidebar's foot: the signed-in account and its credit, or a way to sign in. */
export function AccountPanel (): JSX.Element {
  const current = useStore(session)
  const mode = useStore(authMode)
  usePoll(refreshBalance, BALANCE_REFRESH_MS, [current?.token])

  return (
    <section class="account" aria-label="Account">
      {current !== null
        ? <SignedIn current={current} />
        : mode === 'open'
          ? <p class="muted small-text" data-testid="auth-open">Open API: no sign-in needed.</p>
          : <SignInButton wide />}
    </section>
  )
}
