import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { formatPrlxString } from '../format/prlx.ts'
import { formatCount, shortMiddle } from '../format/text.ts'
import { PoeBadge } from '../poe/poe-badge.tsx'
import { PoeDetails } from '../poe/poe-details.tsx'
import { usePoeCheck } from '../poe/use-poe-check.ts'
import { Icon } from '../ui/icons.tsx'
import type { ServedBy } from './conversation.ts'

/** The line under an answer: node, model, tokens, cost, PoE; expands to the proof itself. */
export function ServedByLine ({ served }: { served: ServedBy }): JSX.Element {
  const [open, setOpen] = useState(false)
  const check = usePoeCheck(served)
  return (
    <div class="served">
      <div class="served-line">
        <span class="chip" title={served.node}>
          <span class="dot" aria-hidden="true" />
          node <span class="mono" data-testid="served-node" data-peer-id={served.node}>
            {shortMiddle(served.node, 8, 6)}
          </span>
        </span>
        <span class="chip">{served.model}</span>
        <span class="chip" title="prompt + completion tokens">
          {formatCount(served.promptTokens)} + {formatCount(served.completionTokens)} tokens
        </span>
        <span class="chip" title="What this answer cost" data-testid="cost">
          {formatPrlxString(served.cost)}
        </span>
        <PoeBadge check={check} />
        <button type="button" class={`button ghost small disclose${open ? ' open' : ''}`}
          aria-expanded={open} onClick={() => { setOpen(!open) }}>
          <span>Proof</span>
          <Icon name="chevron" size={14} />
        </button>
      </div>
      {open && <PoeDetails served={served} check={check} />}
    </div>
  )
}
