import { createStore } from '../state/store.ts'
import { newId, type Conversation, type Turn } from './conversation.ts'

const KEY = 'parallelix.conversations.v1'
const SAVE_DELAY_MS = 300

function load (): Conversation[] {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '[]') as Conversation[]
    if (!Array.isArray(saved)) return []
    // An answer still streaming when the page closed was cut off there.
    return saved.map((c) => ({
      ...c,
      turns: c.turns.map((t) => t.status === 'streaming' ? { ...t, status: 'stopped' } : t)
    }))
  } catch {
    return []
  }
}

/** Every conversation, newest first, kept in localStorage. */
export const conversations = createStore<Conversation[]>(load())

let timer: ReturnType<typeof setTimeout> | undefined
function save (): void {
  clearTimeout(timer)
  timer = undefined
  try {
    localStorage.setItem(KEY, JSON.stringify(conversations.get()))
  } catch {}
}
// Streaming changes a conversation many times a second: write at most every SAVE_DELAY_MS.
conversations.subscribe(() => { timer ??= setTimeout(save, SAVE_DELAY_MS) })
addEventListener('pagehide', save)

/** The conversation with this id, if any. */
export function findConversation (id: string | undefined): Conversation | undefined {
  return id === undefined ? undefined : conversations.get().find((c) => c.id === id)
}

/** Starts an empty conversation and returns it. */
export function createConversation (title: string, model: string | null): Conversation {
  const now = Date.now()
  const created: Conversation = { id: newId(), title, model, createdAt: now, updatedAt: now,
    turns: [] }
  conversations.update((all) => [created, ...all])
  return created
}

/** Applies `change` to one conversation and moves it to the top of the list. */
export function changeConversation (id: string, change: (c: Conversation) => Conversation) {
  conversations.update((all) => {
    const current = all.find((c) => c.id === id)
    if (current === undefined) return all
    const next = { ...change(current), updatedAt: Date.now() }
    return [next, ...all.filter((c) => c.id !== id)]
  })
}

/** Appends a turn to a conversation. */
export function addTurn (id: string, turn: Turn): void {
  changeConversation(id, (c) => ({ ...c, turns: [...c.turns, turn] }))
}

/** Changes one turn in place (a streaming answer growing, its final details). */
export function changeTurn (id: string, turnId: string, change: (t: Turn) => Turn): void {
  conversations.update((all) => all.map((c) => c.id !== id
    ? c
    : { ...c, turns: c.turns.map((t) => t.id === turnId ? change(t) : t) }))
}

export function deleteConversation (id: string): void {
  conversations.update((all) => all.filter((c) => c.id !== id))
}
