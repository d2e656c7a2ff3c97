import { AbortError, ApiError, type ChatMessage, type ChatResult } from '@parallelix/sdk'
import { authMode } from '../api/auth-mode.ts'
import { refreshBalance } from '../api/balance.ts'
import { sdkClient } from '../api/sdk-client.ts'
import { session } from '../api/session.ts'
import { createStore } from '../state/store.ts'
import { newId, titleFrom, type ServedBy, type Turn } from './conversation.ts'
import {
  addTurn, changeConversation, changeTurn, createConversation, findConversation
} from './conversations.ts'

/** The answers being streamed now, by conversation id; abort one to stop it. */
export const streaming = createStore<ReadonlyMap<string, AbortController>>(new Map())

function served (result: ChatResult): ServedBy {
  const p = result.parallelix
  return {
    requestId: p.request_id,
    model: result.model,
    node: p.node,
    operator: p.operator,
    poe: { hash: p.poe.hash, signature: p.poe.signature },
    receipt: { ...p.receipt },
    cost: result.cost === undefined ? null : result.cost.toString(),
    promptTokens: result.usage.prompt_tokens,
    completionTokens: result.usage.completion_tokens
  }
}

// Earlier turns the model should see: prompts and the answers that were given in full or part.
function history (turns: Turn[]): ChatMessage[] {
  return turns
    .filter((t) => t.status !== 'failed' && t.content !== '')
    .map((t) => ({ role: t.role, content: t.content }))
}

// 402s that a new sign-in (which signs a new spending authorization) can cure.
const AUTHORIZATION_CODES = new Set(['no_authorization', 'authorization_expired', 'cap'])

function failure (err: unknown): Partial<Turn> {
  if (err instanceof AbortError) return { status: 'stopped' }
  if (err instanceof ApiError && err.status === 401) {
    const signedIn = session.get() !== null
    session.set(null)
    authMode.set('required')
    return { status: 'failed', needsSignIn: true,
      error: signedIn ? err.message : 'Sign in to chat: this coordinator meters every request.' }
  }
  if (err instanceof ApiError && err.status === 402) {
    const cure = AUTHORIZATION_CODES.has(err.code) || /authorization/i.test(err.message)
    return { status: 'failed', needsSignIn: cure, error: err.message }
  }
  return { status: 'failed', error: err instanceof Error ? err.message : String(err) }
}

/**
 * Sends `prompt` to `model` in a conversation (a new one when `conversationId` is
 * undefined) and streams the answer into it; resolves to the conversation's id at once.
 */
export function ask (conversationId: string | undefined, prompt: string, model: string): string {
  const existing = findConversation(conversationId)
  const id = existing?.id ?? createConversation(titleFrom(prompt), model).id
  const earlier = existing?.turns ?? []
  changeConversation(id, (c) => ({ ...c, model }))
  addTurn(id, { id: newId(), role: 'user', content: prompt, createdAt: Date.now(), status: 'done' })
  const turnId = newId()
  addTurn(id, { id: turnId, role: 'assistant', content: '', createdAt: Date.now(),
    status: 'streaming' })

  const controller = new AbortController()
  streaming.update((m) => new Map(m).set(id, controller))
  const messages = [...history(earlier), { role: 'user' as const, content: prompt }]
  void stream(id, turnId, model, messages, controller.signal).finally(() => {
    streaming.update((m) => {
      const next = new Map(m)
      next.delete(id)
      return next
    })
  })
  return id
}

async function stream (id: string, turnId: string, model: string, messages: ChatMessage[],
  signal: AbortSignal): Promise<void> {
  const answer = sdkClient().stream({ model, messages }, { signal })
  // Tokens arrive faster than the screen refreshes: render once per frame.
  let pending = ''
  let frame = 0
  const flush = (): void => {
    frame = 0
    const text = pending
    pending = ''
    if (text !== '') changeTurn(id, turnId, (t) => ({ ...t, content: t.content + text }))
  }

  try {
    for await (const text of answer) {
      pending += text
      if (frame === 0) frame = requestAnimationFrame(flush)
    }
    cancelAnimationFrame(frame)
    flush()
    const result = answer.final!
    changeTurn(id, turnId, (t) => ({ ...t, content: result.text, status: 'done',
      served: served(result) }))
    void refreshBalance()
  } catch (err) {
    cancelAnimationFrame(frame)
    flush()
    changeTurn(id, turnId, (t) => ({ ...t, ...failure(err) }))
  }
}
