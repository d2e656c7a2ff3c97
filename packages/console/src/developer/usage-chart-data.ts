import { prlxToNumber } from '../format/prlx.ts'
import type { ModelTotals, UsagePoint, UsageReading } from './usage-shape.ts'

/** The figure a usage chart plots. */
export type Metric = 'tokens' | 'requests' | 'spent'

export const METRIC_LABELS: Record<Metric, string> = {
  tokens: 'Tokens',
  requests: 'Requests',
  spent: 'Spent (PRLX)'
}

const value = (row: UsagePoint | ModelTotals, metric: Metric): number =>
  metric === 'spent' ? prlxToNumber(row.spent) : row[metric]

/**
 * Chart data for a reading: its time series when it has one, else one bar per model;
 * null when it has neither.
 */
export function chartData (reading: UsageReading, metric: Metric) {
  const label = METRIC_LABELS[metric]
  if (reading.series.length > 0) {
    return {
      kind: 'time' as const,
      x: reading.series.map((p) => Math.floor(p.at / 1000)),
      y: reading.series.map((p) => value(p, metric)),
      label
    }
  }
  if (reading.perModel.length > 0) {
    return {
      kind: 'categories' as const,
      names: reading.perModel.map((m) => m.model),
      y: reading.perModel.map((m) => value(m, metric)),
      label
    }
  }
  return null
}
