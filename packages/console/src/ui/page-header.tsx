import type { ComponentChildren, JSX } from 'preact'
import { Icon } from './icons.tsx'
import { sidebarOpen } from './sidebar-state.ts'

/** The top bar of a page: its title, and on narrow screens the button that opens the menu. */
export function PageHeader ({ title, children }: { title: string, children?: ComponentChildren }):
  JSX.Element {
  return (
    <header class="page-header">
      <button type="button" class="button ghost icon-only menu-button" aria-label="Open menu"
        onClick={() => { sidebarOpen.set(true) }}>
        <Icon name="menu" />
      </button>
      <h1 class="page-title">{title}</h1>
      <div class="page-actions">{children}</div>
    </header>
  )
}
