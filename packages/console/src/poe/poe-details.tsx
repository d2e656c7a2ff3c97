import type { JSX } from 'preact'
import type { ServedBy } from '../chat/conversation.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import type { PoeCheck } from './verify-poe.ts'

function Row ({ label, value, copy = true }: { label: string, value: string, copy?: boolean }):
  JSX.Element {
  return (
    <div class="detail-row">
      <dt>{label}</dt>
      <dd><code class="mono wrap">{value}</code>{copy && <CopyButton text={value} label="" />}</dd>
    </div>
  )
}

/** Everything needed to check an answer elsewhere: ids, hash, signature and the receipt. */
export function PoeDetails ({ served, check }: { served: ServedBy, check: PoeCheck | null }):
  JSX.Element {
  const receipt = JSON.stringify(served.receipt, null, 2)
  const signer = check === null ? 'checking…' : check.signer ?? 'malformed signature'
  return (
    <div class="poe-details" data-testid="poe-details">
      <dl>
        <Row label="Request" value={served.requestId} />
        <Row label="Node" value={served.node} />
        <Row label="Operator" value={served.operator} />
        <Row label="Recovered signer" value={signer} copy={check?.signer != null} />
        <Row label="PoE hash" value={served.poe.hash} />
        <Row label="Signature" value={served.poe.signature} />
      </dl>
      <div class="receipt">
        <div class="receipt-head">
          <span>Receipt</span>
          <CopyButton text={receipt} label="Copy JSON" />
        </div>
        <pre class="mono" data-testid="receipt">{receipt}</pre>
      </div>
      <p class="muted small-text">
        Checked in this browser: the receipt's EIP-712 digest equals the PoE hash
        ({check === null ? '…' : check.hashMatches ? 'yes' : 'no'}) and
        recoverAddress(hash, signature) is the operator
        ({check === null ? '…' : check.signedByOperator ? 'yes' : 'no'}).
      </p>
    </div>
  )
}
