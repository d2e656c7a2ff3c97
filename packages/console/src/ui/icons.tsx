import type { JSX } from 'preact'

// Stroke icons on a 24-unit grid, drawn in the current text colour.
const PATHS = {
  chat: 'M4 5h16v11H9l-5 4z',
  pool: 'M12 3v5M12 16v5M4.5 7.5l4 2.5M15.5 14l4 2.5M19.5 7.5l-4 2.5M8.5 14l-4 2.5' +
    'M12 9.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
  code: 'M8 8l-4 4 4 4M16 8l4 4-4 4M13.5 5l-3 14',
  plus: 'M12 5v14M5 12h14',
  send: 'M12 19V5M6 11l6-6 6 6',
  stop: 'M7 7h10v10H7z',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  shield: 'M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6z M8.5 12l2.5 2.5 4.5-5',
  alert: 'M12 4l9 16H3zM12 10v4M12 17v.5',
  trash: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  menu: 'M4 7h16M4 12h16M4 17h16',
  chevron: 'M9 6l6 6-6 6',
  wallet: 'M4 7h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4zM4 7l11-3v3M16 13h.5',
  key: 'M14.5 9.5a4 4 0 1 0-3 3L18 19h2v-2h-2v-2h-2l-1.5-1.5',
  logout: 'M10 5H5v14h5M14 8l4 4-4 4M18 12H9'
} as const

export type IconName = keyof typeof PATHS

export function Icon ({ name, size = 18 }: { name: IconName, size?: number }): JSX.Element {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true"
      fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"
      stroke-linejoin="round">
      <path d={PATHS[name]} />
    </svg>
  )
}
