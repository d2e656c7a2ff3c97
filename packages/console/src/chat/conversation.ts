/** Who served an answer and its proof of execution, as the final chunk reported them. */
export interface ServedBy {
  requestId: string
  model: string
  node: string
  operator: string
  poe: { hash: string, signature: string }
  /** The signed receipt, field for field as the coordinator relayed it. */
  receipt: Record<string, unknown>
  /** Decimal string of base units; null when the coordinator does not meter. */
  cost: string | null
  promptTokens: number
  completionTokens: number
}

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'failed'

export interface Turn {
  id: string
  role: 'user' | 'assistant'
  content: string
  createdAt: number
  status: TurnStatus
  /** Why the answer failed, for a failed assistant turn. */
  error?: string
  /** The failure asks the user to sign in. */
  needsSignIn?: boolean
  served?: ServedBy
}

export interface Conversation {
  id: string
  title: string
  model: string | null
  createdAt: number
  updatedAt: number
  turns: Turn[]
}

/** A short random id, safe in a URL path. */
export function newId (): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 16)
}

/** A conversation's title: the start of its first prompt, on one line. */
export function titleFrom (prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim()
  return line.length > 48 ? `${line.slice(0, 47)}…` : line || 'New chat'
}
