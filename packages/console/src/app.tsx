import type { JSX } from 'preact'
import { ChatView } from './chat/chat-view.tsx'
import { DeveloperView } from './developer/developer-view.tsx'
import { PoolView } from './pool/pool-view.tsx'
import { route } from './state/router.ts'
import { useStore } from './state/use-store.ts'
import { Sidebar } from './ui/sidebar.tsx'

/** The whole console: the sidebar and the page the address names. */
export function App (): JSX.Element {
  const current = useStore(route)
  return (
    <div class="app">
      <Sidebar />
      <main class="main">
        {current.page === 'pool' && <PoolView />}
        {current.page === 'developer' && <DeveloperView />}
        {current.page === 'chat' && (
          <ChatView key={current.conversationId ?? 'new'}
            conversationId={current.conversationId} />
        )}
      </main>
    </div>
  )
}
