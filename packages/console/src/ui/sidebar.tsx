import type { JSX } from 'preact'
import { conversations, deleteConversation } from '../chat/conversations.ts'
import { route, navigate } from '../state/router.ts'
import type { Route } from '../state/route.ts'
import { useStore } from '../state/use-store.ts'
import { AccountPanel } from '../wallet/account-panel.tsx'
import { Icon, type IconName } from './icons.tsx'
import { sidebarOpen } from './sidebar-state.ts'

const PAGES: Array<{ page: Route['page'], label: string, icon: IconName }> = [
  { page: 'chat', label: 'Chat', icon: 'chat' },
  { page: 'pool', label: 'Pool', icon: 'pool' },
  { page: 'developer', label: 'Developer', icon: 'code' }
]

function go (next: Route): void {
  sidebarOpen.set(false)
  navigate(next)
}

/** The left column: new chat, the three pages, the conversations and the account. */
export function Sidebar (): JSX.Element {
  const current = useStore(route)
  const open = useStore(sidebarOpen)
  const all = useStore(conversations)
  const activeId = current.page === 'chat' ? current.conversationId : undefined

  return (
    <>
      <div class={`scrim${open ? ' open' : ''}`} onClick={() => { sidebarOpen.set(false) }} />
      <aside class={`sidebar${open ? ' open' : ''}`}>
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <span class="brand-name">ParalleliX</span>
        </div>
        <button type="button" class="button new-chat" onClick={() => { go({ page: 'chat' }) }}>
          <Icon name="plus" size={16} />
          <span>New chat</span>
        </button>
        <nav class="nav" aria-label="Pages">
          {PAGES.map(({ page, label, icon }) => (
            <a key={page} href={page === 'chat' ? '/' : `/${page}`}
              class={`nav-item${current.page === page ? ' active' : ''}`}
              aria-current={current.page === page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); go({ page } as Route) }}>
              <Icon name={icon} />
              <span>{label}</span>
            </a>
          ))}
        </nav>
        <div class="conversations">
          <h2 class="section-label">Conversations</h2>
          {all.length === 0 && <p class="muted small-text">Your chats appear here.</p>}
          <ul>
            {all.map((c) => (
              <li key={c.id} class={`conversation${c.id === activeId ? ' active' : ''}`}>
                <a href={`/c/${c.id}`} title={c.title} onClick={(e) => {
                  e.preventDefault()
                  go({ page: 'chat', conversationId: c.id })
                }}>{c.title}</a>
                <button type="button" class="button ghost icon-only delete"
                  aria-label={`Delete ${c.title}`} onClick={() => {
                    deleteConversation(c.id)
                    if (c.id === activeId) navigate({ page: 'chat' }, true)
                  }}>
                  <Icon name="trash" size={15} />
                </button>
              </li>
            ))}
          </ul>
        </div>
        <AccountPanel />
      </aside>
    </>
  )
}
