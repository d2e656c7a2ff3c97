import type { JSX } from 'preact'
import { Icon } from '../ui/icons.tsx'
import type { PoeCheck } from './verify-poe.ts'

/** "Verified" when the browser's own check passed, "Not verified" when it failed. */
export function PoeBadge ({ check }: { check: PoeCheck | null }): JSX.Element {
  if (check === null) {
    return (
      <span class="badge pending" data-testid="poe-badge" data-state="pending">Checking…</span>
    )
  }
  return check.verified
    ? (
      <span class="badge ok" data-testid="poe-badge" data-state="verified"
        title="The receipt hashes to the PoE hash and is signed by the node's operator">
        <Icon name="shield" size={14} />verified
      </span>
      )
    : (
      <span class="badge bad" data-testid="poe-badge" data-state="failed"
        title={check.hashMatches ? 'The signature is not the operator\'s'
          : 'The receipt does not hash to the PoE hash'}>
        <Icon name="alert" size={14} />not verified
      </span>
      )
}
