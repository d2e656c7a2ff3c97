import type { JSX } from 'preact'
import { SignInButton } from '../wallet/sign-in-button.tsx'

const SUGGESTIONS = [
  'Once upon a time, a little fox found a key',
  'Tell a short story about a brave boat',
  'Lily and Tom went to the park to'
]

/** What an empty conversation shows: what the network does, and prompts to start from. */
export function Welcome ({ onPick, ready, signIn }: {
  onPick: (prompt: string) => void
  ready: boolean
  /** Offer sign-in first: the coordinator answers nobody without it. */
  signIn: boolean
}): JSX.Element {
  return (
    <div class="welcome">
      <span class="logo large" aria-hidden="true" />
      <h2>Ask the network</h2>
      <p class="muted">
        Your prompt goes to one operator node in the pool, which streams the answer back and
        signs a proof of execution that this page checks on its own.
      </p>
      {signIn && <div class="welcome-sign-in"><SignInButton /></div>}
      <div class="suggestions">
        {SUGGESTIONS.map((s) => (
          <button key={s} type="button" class="suggestion" disabled={!ready}
            onClick={() => { onPick(s) }}>{s}</button>
        ))}
      </div>
    </div>
  )
}
