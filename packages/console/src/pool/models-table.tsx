import type { JSX } from 'preact'
import { models, refreshModels } from '../api/models.ts'
import { formatCount, shortMiddle } from '../format/text.ts'
import { useStore } from '../state/use-store.ts'
import { usePoll } from '../ui/use-poll.ts'
import { POOL_REFRESH_MS } from './pool-state.ts'

/** The models the pool serves, with the capacity behind each (GET /v1/models). */
export function ModelsTable (): JSX.Element | null {
  const { models: list } = useStore(models)
  usePoll(refreshModels, POOL_REFRESH_MS)
  if (list.length === 0) return null
  return (
    <>
      <h2 class="section-title">Models</h2>
      <div class="table-card">
        <table data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th><th class="num">Nodes</th><th>Slots free</th>
              <th class="num">Context</th><th>GGUF sha256</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.id}>
                <td data-label="Model"><span class="pill">{m.id}</span></td>
                <td data-label="Nodes" class="num">{formatCount(m.parallelix.nodes)}</td>
                <td data-label="Slots free">
                  {formatCount(m.parallelix.slots_free)} / {formatCount(m.parallelix.slots_total)}
                </td>
                <td data-label="Context" class="num">
                  {formatCount(m.parallelix.context_size)}
                </td>
                <td data-label="GGUF sha256">
                  {m.parallelix.model_hashes.map((h) => (
                    <code key={h} class="mono" title={h}>{shortMiddle(h, 10, 8)}</code>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
