import type { JSX } from 'preact'
import { models } from '../api/models.ts'
import { useStore } from '../state/use-store.ts'

/** Chooses among the models the live pool serves; keeps a chosen model that went away. */
export function ModelPicker ({ value, onChange }: {
  value: string | null
  onChange: (model: string) => void
}): JSX.Element {
  const { models: list, loaded } = useStore(models)
  const ids = list.map((m) => m.id)
  const gone = value !== null && !ids.includes(value)

  if (loaded && ids.length === 0 && value === null) {
    return <span class="model-picker empty" data-testid="model-picker">No models online</span>
  }
  return (
    <label class="model-picker">
      <span class="visually-hidden">Model</span>
      <select data-testid="model-picker" value={value ?? ''}
        onChange={(e) => { onChange((e.target as HTMLSelectElement).value) }}>
        {value === null && <option value="" disabled>Loading models…</option>}
        {gone && <option value={value}>{value} (offline)</option>}
        {list.map((m) => (
          <option key={m.id} value={m.id}>
            {m.id} · {m.parallelix.nodes} node{m.parallelix.nodes === 1 ? '' : 's'}
          </option>
        ))}
      </select>
    </label>
  )
}
