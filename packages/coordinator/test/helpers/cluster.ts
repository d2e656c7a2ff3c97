import { join, resolve } from 'node:path'
import { spawnLogged, type ManagedProcess } from '../../../../scripts/lib/processes.ts'

const ROOT = resolve(import.meta.dirname, '../../../..')
const NODE_BIN = join(ROOT, 'packages/node/bin/parallelix-node.js')
const COORDINATOR_BIN = join(ROOT, 'packages/coordinator/bin/parallelix-coordinator.js')

/** The real model every test serves; never copied into the repository. */
export const MODEL = process.env.PARALLELIX_TEST_MODEL ??
  join(ROOT, '..', 'shared', 'models', 'stories260K.gguf')
export const MODEL_ID = 'stories260K'
export const PROMPT = 'Once upon a time'

export interface NodeProcess {
  peerId: string
  operator: string
  process: ManagedProcess
  /** Signals the process directly: SIGKILL to crash it, SIGSTOP to freeze it. */
  signal: (signal: NodeJS.Signals) => void
}

export interface NodeProcessOptions {
  name: string
  bootstrap: string[]
  slots?: number
  contextSize?: number
}

export interface CoordinatorProcess {
  apiBase: string
  peerId: string
  multiaddrs: string[]
  process: ManagedProcess
}

/** Loaded machines start processes slowly; this is a bound, not an expectation. */
const START_TIMEOUT_MS = 150_000

/**
 * The processes one test file starts, each logging to `dir`. `stop` kills every one of
 * them, including any that failed to start, so no test leaves a process behind.
 */
export class Cluster {
  readonly dir: string
  private readonly processes: ManagedProcess[] = []

  constructor (dir: string) {
    this.dir = dir
  }

  /** Starts an operator node as its own process and waits until it serves. */
  async node (options: NodeProcessOptions): Promise<NodeProcess> {
    const proc = this.spawn(options.name, [
      NODE_BIN, '--model', MODEL, '--model-id', MODEL_ID,
      '--data-dir', join(this.dir, options.name),
      '--threads', '1', '--slots', String(options.slots ?? 2),
      '--context-size', String(options.contextSize ?? 1024),
      ...options.bootstrap.flatMap((ma) => ['--bootstrap', ma])
    ])
    const line = await proc.waitForLog<{ peerId: string, operator: string }>(
      (l) => l.msg === 'node serving', START_TIMEOUT_MS)
    return {
      peerId: line.peerId,
      operator: line.operator,
      process: proc,
      signal: (signal) => { proc.child.kill(signal) }
    }
  }

  /** Starts the coordinator CLI as a process, e.g. to kill -9 it and start it again. */
  async coordinator (name: string, args: string[]): Promise<CoordinatorProcess> {
    const proc = this.spawn(name, [COORDINATOR_BIN, ...args])
    const ready = await proc.waitForLog<{ peerId: string, multiaddrs: string[],
      apiBase: string }>((l) => l.msg === 'coordinator ready', START_TIMEOUT_MS)
    return { ...ready, process: proc }
  }

  /** Kills every process this cluster started, frozen ones included. */
  async stop (): Promise<void> {
    await Promise.all(this.processes.map(async (p) => {
      p.child.kill('SIGCONT')
      await p.stop('SIGKILL')
    }))
  }

  private spawn (name: string, args: string[]): ManagedProcess {
    const proc = spawnLogged(name, process.execPath, args, join(this.dir, `${name}.log`))
    this.processes.push(proc)
    return proc
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T> (
  check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string,
  intervalMs = 20
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Peer ids listed by GET /v1/nodes. */
export async function poolPeerIds (apiBase: string): Promise<string[]> {
  const res = await fetch(`${apiBase}/nodes`)
  const body = await res.json() as { data: Array<{ peer_id: string }> }
  return body.data.map((n) => n.peer_id)
}

/** Waits until /v1/nodes lists every one of `peerIds`. */
export async function waitForPool (apiBase: string, peerIds: string[], timeoutMs = 20_000) {
  await waitFor(async () => {
    const live = new Set(await poolPeerIds(apiBase))
    return peerIds.every((p) => live.has(p)) ? true : undefined
  }, timeoutMs, `${peerIds.length} node(s) in the pool`, 50)
}

export interface StreamResult {
  status: number
  text: string
  chunks: number
  /** The last chunk's `parallelix` object, with the segments and PoE. */
  parallelix?: Record<string, unknown> & { segments: Array<Record<string, unknown>> }
  usage?: { prompt_tokens: number, completion_tokens: number }
  finishReason?: string
  error?: { message: string, code: string | null }
}

/**
 * Posts a streaming chat completion and reads its SSE events. `onContent` sees the text
 * as it arrives, with the running count of content chunks (one per token frame here).
 */
export async function streamChat (
  apiBase: string, body: Record<string, unknown>,
  onContent?: (text: string, chunks: number) => void, signal?: AbortSignal
): Promise<StreamResult> {
  const res = await fetch(`${apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal
  })
  const result: StreamResult = { status: res.status, text: '', chunks: 0 }
  if (res.status !== 200) {
    result.error = ((await res.json()) as { error: StreamResult['error'] }).error
    return result
  }
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(part, { stream: true })
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      if (!event.startsWith('data: {')) continue
      const data = JSON.parse(event.slice(6)) as {
        choices?: Array<{ delta?: { content?: string }, finish_reason?: string | null }>
        usage?: StreamResult['usage']
        parallelix?: StreamResult['parallelix']
        error?: StreamResult['error']
      }
      if (data.error !== undefined) result.error = data.error
      const content = data.choices?.[0]?.delta?.content
      if (content !== undefined && content !== '') {
        result.text += content
        result.chunks++
        onContent?.(content, result.chunks)
      }
      result.finishReason = data.choices?.[0]?.finish_reason ?? result.finishReason
      result.usage = data.usage ?? result.usage
      result.parallelix = data.parallelix ?? result.parallelix
    }
  }
  return result
}

/** Posts a non-streaming chat completion; returns the status, headers and JSON body. */
export async function postChat (apiBase: string, body: Record<string, unknown>) {
  const res = await fetch(`${apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  return { status: res.status, headers: res.headers, body: await res.json() as ChatBody }
}

export interface ChatBody {
  choices?: Array<{ message: { content: string }, finish_reason: string }>
  usage?: { prompt_tokens: number, completion_tokens: number }
  parallelix?: { node: string, operator: string, segments: Array<Record<string, unknown>> }
  error?: { message: string, code: string | null, type: string }
}
