import type { ChatMessage, SamplingParams } from './chat.ts'
import { asArray, asNumber, asRecord, asString } from './decode.ts'
import { parseOptionalBaseUnits } from './money.ts'
import type { RequestOptions, Transport } from './transport.ts'
import { parseParalleliX, parseUsage, type ParalleliXInfo, type Usage } from './wire.ts'

/** One batch input: a user prompt, or a whole conversation. */
export type BatchInput = string | { messages: ChatMessage[] }

export interface BatchRequest extends SamplingParams {
  model: string
  inputs: BatchInput[]
}

export type BatchStatus =
  'queued' | 'running' | 'cancelling' | 'completed' | 'failed' | 'cancelled'
export type BatchItemStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

export interface BatchCounts {
  total: number
  queued: number
  running: number
  completed: number
  failed: number
  cancelled: number
}

/** One input's outcome; `index` is its position in the batch's inputs. */
export interface BatchItem {
  index: number
  status: BatchItemStatus
  /** The completion text (sent as `output`, or as `result` by the current coordinator). */
  output?: string
  finish_reason?: string
  error?: { code: string, message: string }
  usage?: Usage
  parallelix?: ParalleliXInfo
  /** Base units. */
  cost?: bigint
}

export interface Batch {
  id: string
  object: 'batch'
  status: BatchStatus
  /** Unix seconds. */
  created_at: number
  completed_at: number | null
  cancelled_at: number | null
  counts: BatchCounts
  /** Present on GET /batch/{id}. */
  items?: BatchItem[]
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired'])

/** Whether a batch has stopped changing: a final status, or nothing left queued or running. */
export function isBatchDone (batch: Batch): boolean {
  return TERMINAL.has(batch.status) || (batch.counts.queued === 0 && batch.counts.running === 0)
}

function parseCounts (value: unknown): BatchCounts {
  const c = asRecord(value, 'batch.counts')
  const n = (key: keyof BatchCounts): number => asNumber(c[key] ?? 0, `batch.counts.${key}`)
  return {
    total: n('total'), queued: n('queued'), running: n('running'),
    completed: n('completed'), failed: n('failed'), cancelled: n('cancelled')
  }
}

function parseItem (value: unknown, i: number): BatchItem {
  const what = `batch.items[${i}]`
  const item = asRecord(value, what)
  const error = item.error == null ? undefined : asRecord(item.error, `${what}.error`)
  // The cost travels at the item's top level or, like a chat completion's, in `parallelix`.
  const px = typeof item.parallelix === 'object' && item.parallelix !== null
    ? item.parallelix as Record<string, unknown>
    : {}
  const cost = parseOptionalBaseUnits(item.cost ?? px.cost, `${what}.cost`)
  const output = typeof item.output === 'string' ? item.output : item.result
  return {
    index: asNumber(item.index, `${what}.index`),
    status: asString(item.status, `${what}.status`) as BatchItemStatus,
    ...(typeof output === 'string' ? { output } : {}),
    ...(typeof item.finish_reason === 'string' ? { finish_reason: item.finish_reason } : {}),
    ...(error === undefined
      ? {}
      : { error: { code: String(error.code ?? 'failed'), message: String(error.message ?? '') } }),
    ...(item.usage == null ? {} : { usage: parseUsage(item.usage, `${what}.usage`) }),
    ...(item.parallelix == null
      ? {}
      : { parallelix: parseParalleliX(item.parallelix, `${what}.parallelix`) }),
    ...(cost === undefined ? {} : { cost })
  }
}

export function parseBatch (value: unknown): Batch {
  const b = asRecord(value, 'batch')
  return {
    id: asString(b.id, 'batch.id'),
    object: 'batch',
    status: asString(b.status, 'batch.status') as BatchStatus,
    created_at: asNumber(b.created_at, 'batch.created_at'),
    completed_at: b.completed_at == null ? null : asNumber(b.completed_at, 'batch.completed_at'),
    cancelled_at: b.cancelled_at == null ? null : asNumber(b.cancelled_at, 'batch.cancelled_at'),
    counts: parseCounts(b.counts),
    ...(b.items == null ? {} : { items: asArray(b.items, 'batch.items').map(parseItem) })
  }
}

/** POST /batch: queues every input; answers at once with the batch's id and counts. */
export async function createBatch (transport: Transport, request: BatchRequest,
  options: RequestOptions = {}): Promise<Batch> {
  return parseBatch(await transport.json('POST', '/batch', request, options))
}

/** GET /batch/{id}: status, counts and every item so far. */
export async function getBatch (transport: Transport, id: string,
  options: RequestOptions = {}): Promise<Batch> {
  return parseBatch(await transport.json('GET', `/batch/${encodeURIComponent(id)}`,
    undefined, options))
}

/** POST /batch/{id}/cancel: items not yet started are cancelled; running ones may finish. */
export async function cancelBatch (transport: Transport, id: string,
  options: RequestOptions = {}): Promise<Batch> {
  return parseBatch(await transport.json('POST', `/batch/${encodeURIComponent(id)}/cancel`,
    {}, options))
}
