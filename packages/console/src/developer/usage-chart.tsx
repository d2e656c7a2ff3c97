import { useEffect, useRef } from 'preact/hooks'
import type { JSX } from 'preact'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** What the chart draws: time buckets (epoch seconds) or one bar per named category. */
export type ChartData =
  | { kind: 'time', x: number[], y: number[], label: string }
  | { kind: 'categories', names: string[], y: number[], label: string }

function themeColor (name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
}

function options (data: ChartData, width: number): uPlot.Options {
  const accent = themeColor('--accent')
  const text = themeColor('--text-muted')
  const grid = themeColor('--border')
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false } }
  const categories = data.kind === 'categories'
  return {
    width,
    height: 240,
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: categories
        ? { time: false, range: () => [-0.5, data.names.length - 0.5] }
        : { time: true },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] }
    },
    axes: [
      categories
        ? { ...axis, splits: () => data.names.map((_, i) => i),
            values: (_u, splits) => splits.map((i) => data.names[i] ?? '') }
        : axis,
      { ...axis, size: 60 }
    ],
    series: [
      {},
      {
        label: data.label,
        stroke: accent,
        fill: `${accent}55`,
        width: 1,
        paths: uPlot.paths.bars!({ size: [0.6, 56], align: 0 }),
        points: { show: false }
      }
    ]
  }
}

/** A bar chart of one usage figure, drawn with uPlot and resized with its container. */
export function UsageChart ({ data }: { data: ChartData }): JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (el === null) return
    const x = data.kind === 'time' ? data.x : data.names.map((_, i) => i)
    const plot = new uPlot(options(data, el.clientWidth), [x, data.y], el)
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: el.clientWidth, height: 240 })
    })
    observer.observe(el)
    return () => {
      observer.disconnect()
      plot.destroy()
    }
  }, [data])
  return <div class="chart" ref={box} data-testid="usage-chart" />
}
