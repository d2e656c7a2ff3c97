import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { authMode } from '../api/auth-mode.ts'
import { models, refreshModels } from '../api/models.ts'
import { session } from '../api/session.ts'
import { navigate } from '../state/router.ts'
import { useStore } from '../state/use-store.ts'
import { PageHeader } from '../ui/page-header.tsx'
import { usePoll } from '../ui/use-poll.ts'
import { ask, streaming } from './answer.ts'
import { Composer } from './composer.tsx'
import { conversations, changeConversation } from './conversations.ts'
import { ModelPicker } from './model-picker.tsx'
import { TurnView } from './turn-view.tsx'
import { Welcome } from './welcome.tsx'

const MODELS_REFRESH_MS = 10_000

/** A conversation (or a new one): its turns, the model picker and the prompt box. */
export function ChatView ({ conversationId }: { conversationId?: string }): JSX.Element {
  const all = useStore(conversations)
  const { models: live } = useStore(models)
  const running = useStore(streaming)
  const needsAuth = useStore(authMode) === 'required'
  const signedIn = useStore(session) !== null
  const mustSignIn = needsAuth && !signedIn
  const conversation = all.find((c) => c.id === conversationId)
  const [draftModel, setDraftModel] = useState<string | null>(null)
  usePoll(refreshModels, MODELS_REFRESH_MS)

  const model = conversation?.model ?? draftModel ?? live[0]?.id ?? null
  const busy = conversation !== undefined && running.has(conversation.id)
  const turns = conversation?.turns ?? []

  // Follow a growing answer unless the reader scrolled up to read.
  const scroller = useRef<HTMLDivElement>(null)
  const pinned = useRef(true)
  const last = turns.at(-1)
  useEffect(() => {
    const el = scroller.current
    if (el !== null && pinned.current) el.scrollTop = el.scrollHeight
  }, [turns.length, last?.content.length, last?.status])

  const send = (prompt: string): void => {
    if (model === null) return
    pinned.current = true
    const id = ask(conversation?.id, prompt, model)
    if (id !== conversation?.id) navigate({ page: 'chat', conversationId: id })
  }
  const choose = (next: string): void => {
    if (conversation === undefined) setDraftModel(next)
    else changeConversation(conversation.id, (c) => ({ ...c, model: next }))
  }

  return (
    <section class="page chat">
      <PageHeader title={conversation?.title ?? 'New chat'}>
        <ModelPicker value={model} onChange={choose} />
      </PageHeader>
      <div class="scroll" ref={scroller} onScroll={(e) => {
        const el = e.currentTarget
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48
      }}>
        {turns.length === 0
          ? <Welcome onPick={send} ready={model !== null && !mustSignIn} signIn={mustSignIn} />
          : <div class="turns">{turns.map((t) => <TurnView key={t.id} turn={t} />)}</div>}
      </div>
      <Composer disabled={model === null || mustSignIn} busy={busy} onSend={send}
        onStop={() => { if (conversation !== undefined) running.get(conversation.id)?.abort() }}
        hint={mustSignIn ? 'Sign in to chat: this coordinator meters every request.'
          : model === null ? 'No model is online: start a node to chat.' : undefined} />
    </section>
  )
}
