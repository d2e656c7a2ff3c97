import type { Address, Hex } from 'viem'
import { asArray, asNumber, asRecord, asString } from './decode.ts'

/** A model the live pool serves (GET /models), with ParalleliX capacity details. */
export interface Model {
  id: string
  object: 'model'
  created: number
  owned_by: string
  parallelix: {
    nodes: number
    slots_total: number
    slots_free: number
    context_size: number
    model_hashes: Hex[]
  }
}

/** An operator node in the pool (GET /nodes). */
export interface PoolNode {
  peer_id: string
  operator: Address
  models: Array<{
    id: string
    model_hash: Hex
    context_size: number
    size_bytes: number
    architecture: string | null
  }>
  hardware: Record<string, unknown>
  slots: { total: number, free: number }
  load: number
  tokens_per_second: number
  last_seen: string
  addrs: string[]
}

function listData (body: unknown, what: string): Array<Record<string, unknown>> {
  const list = asRecord(body, what)
  return asArray(list.data, `${what}.data`).map((item, i) => asRecord(item, `${what}.data[${i}]`))
}

export function parseModels (body: unknown): Model[] {
  return listData(body, 'models').map((m, i) => {
    asString(m.id, `models.data[${i}].id`)
    asRecord(m.parallelix, `models.data[${i}].parallelix`)
    return m as unknown as Model
  })
}

export function parseNodes (body: unknown): PoolNode[] {
  return listData(body, 'nodes').map((n, i) => {
    asString(n.peer_id, `nodes.data[${i}].peer_id`)
    asArray(n.models, `nodes.data[${i}].models`)
    asNumber(asRecord(n.slots, `nodes.data[${i}].slots`).total, `nodes.data[${i}].slots.total`)
    return n as unknown as PoolNode
  })
}
