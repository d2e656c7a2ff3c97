import { useMemo, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { formatPrlx } from '../format/prlx.ts'
import { formatCount } from '../format/text.ts'
import { usePoll } from '../ui/use-poll.ts'
import { chartData, METRIC_LABELS, type Metric } from './usage-chart-data.ts'
import { UsageChart } from './usage-chart.tsx'
import { fetchUsage } from './usage-api.ts'
import type { UsageReading } from './usage-shape.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const RANGES = [
  { id: '24h', label: '24 h', ms: DAY_MS },
  { id: '7d', label: '7 days', ms: 7 * DAY_MS },
  { id: '30d', label: '30 days', ms: 30 * DAY_MS }
] as const

function Segmented<T extends string> ({ options, value, onChange, label }: {
  options: ReadonlyArray<{ id: T, label: string }>
  value: T
  onChange: (v: T) => void
  label: string
}): JSX.Element {
  return (
    <div class="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button key={o.id} type="button" aria-pressed={o.id === value}
          class={o.id === value ? 'active' : ''} onClick={() => { onChange(o.id) }}>
          {o.label}
        </button>
      ))}
    </div>
  )
}

function Total<T> ({ label, value, format }: {
  label: string
  value: T | null | undefined
  format: (v: T) => string
}): JSX.Element {
  return (
    <div>
      <span class="label">{label}</span>
      <span class="value">{value == null ? '—' : format(value)}</span>
    </div>
  )
}

/** Usage over a chosen window, charted, with its totals. */
export function UsagePanel (): JSX.Element {
  const [range, setRange] = useState<(typeof RANGES)[number]['id']>('7d')
  const [metric, setMetric] = useState<Metric>('tokens')
  const [reading, setReading] = useState<UsageReading | null>(null)
  const [error, setError] = useState<string | null>(null)
  const ms = RANGES.find((r) => r.id === range)!.ms

  usePoll(async (signal) => {
    try {
      const to = Date.now()
      setReading(await fetchUsage(to - ms, to, signal))
      setError(null)
    } catch (err) {
      if (!signal.aborted) setError((err as Error).message)
    }
  }, 30_000, [ms])

  const data = useMemo(() => reading === null ? null : chartData(reading, metric),
    [reading, metric])
  const metrics = (Object.keys(METRIC_LABELS) as Metric[])
    .map((id) => ({ id, label: METRIC_LABELS[id] }))

  return (
    <section class="card" aria-labelledby="usage-title">
      <div class="card-head">
        <h2 id="usage-title" class="card-title">Usage</h2>
        <Segmented label="Window" options={RANGES} value={range} onChange={setRange} />
      </div>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      <div class="totals">
        <Total label="Requests" value={reading?.requests} format={formatCount} />
        <Total label="Tokens" value={reading?.tokens} format={formatCount} />
        <Total label="Spent" value={reading?.spent} format={formatPrlx} />
      </div>
      <Segmented label="Figure" options={metrics} value={metric} onChange={setMetric} />
      {data === null
        ? (
          <p class="empty-chart muted">
            {reading === null ? 'Loading usage…' : 'No usage in this window.'}
          </p>
          )
        : <UsageChart data={data} />}
      {data?.kind === 'categories' && (
        <p class="muted small-text">Totals per model: the API gave no series over time.</p>
      )}
    </section>
  )
}
