import type { JSX } from 'preact'
import { SignInButton } from '../wallet/sign-in-button.tsx'
import type { Turn } from './conversation.ts'
import { ServedByLine } from './served-by.tsx'

/** One prompt or answer of a conversation. */
export function TurnView ({ turn }: { turn: Turn }): JSX.Element {
  if (turn.role === 'user') {
    return (
      <div class="turn user" data-testid="prompt-turn">
        <div class="bubble">{turn.content}</div>
      </div>
    )
  }
  return (
    <div class="turn assistant" data-testid="answer" data-status={turn.status}>
      <span class="logo mark" aria-hidden="true" />
      <div class="answer">
        <div class="text">
          {turn.content}
          {turn.status === 'streaming' && <span class="cursor" aria-hidden="true" />}
        </div>
        {turn.status === 'stopped' && <p class="note">Stopped.</p>}
        {turn.status === 'failed' && (
          <div class="error-box" role="alert">
            <p>{turn.error ?? 'The answer failed.'}</p>
            {turn.needsSignIn === true && <SignInButton />}
          </div>
        )}
        {turn.served !== undefined && <ServedByLine served={turn.served} />}
      </div>
    </div>
  )
}
