import type { PoolNode } from '@parallelix/sdk'
import type { JSX } from 'preact'
import { formatCount, formatRate, shortMiddle } from '../format/text.ts'
import { CopyButton } from '../ui/copy-button.tsx'
import { describeHardware, deviceNames } from './hardware.ts'

/** One node of the pool as a table row (a card on narrow screens). */
export function NodeRow ({ node }: { node: PoolNode }): JSX.Element {
  const used = node.slots.total - node.slots.free
  const share = node.slots.total === 0 ? 0 : used / node.slots.total
  const hardware = node.hardware as Record<string, unknown>
  const devices = deviceNames(hardware)
  return (
    <tr data-testid="pool-row" data-peer-id={node.peer_id}>
      <td data-label="Peer">
        <span class="mono" title={node.peer_id}>{shortMiddle(node.peer_id, 10, 6)}</span>
        <CopyButton text={node.peer_id} label="" />
      </td>
      <td data-label="Operator">
        <span class="mono" title={node.operator}>{shortMiddle(node.operator)}</span>
      </td>
      <td data-label="Hardware" title={devices.join(', ')}>{describeHardware(hardware)}</td>
      <td data-label="Models">
        <span class="pills">
          {node.models.map((m) => (
            <span key={m.id} class="pill" title={`${m.model_hash}\ncontext ${m.context_size}`}>
              {m.id}
            </span>
          ))}
        </span>
      </td>
      <td data-label="Load" class="num">{formatCount(node.load)}</td>
      <td data-label="Slots">
        <span class="slots" title={`${node.slots.free} of ${node.slots.total} free`}>
          <span class="meter"><span style={{ width: `${Math.round(share * 100)}%` }} /></span>
          <span class="slots-text">{node.slots.free}/{node.slots.total} free</span>
        </span>
      </td>
      <td data-label="Tokens/s" class="num">{formatRate(node.tokens_per_second)}</td>
    </tr>
  )
}
