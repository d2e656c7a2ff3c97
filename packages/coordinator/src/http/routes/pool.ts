import type { FastifyInstance } from 'fastify'
import type { NodeRegistry, PoolNode } from '../../mesh/registry.ts'

interface ModelSummary {
  id: string
  nodes: number
  slotsTotal: number
  slotsFree: number
  contextSize: number
  modelHashes: Set<string>
  created: number
}

function freeSlots (node: PoolNode): number {
  return Math.max(0, Math.min(node.advert.slots.free, node.advert.slots.total - node.inflight))
}

export interface PoolRouteOptions {
  registry: NodeRegistry
  /** Models the coordinator's own fallback serves when no node can. */
  fallbackModels?: () => string[]
}

/**
 * GET /v1/models (OpenAI list format): what the live pool serves, and what the fallback
 * serves besides; GET /v1/nodes: the pool itself.
 */
export async function poolRoutes (app: FastifyInstance, opts: PoolRouteOptions) {
  app.get('/v1/models', async () => {
    const models = new Map<string, ModelSummary>()
    const fallback = new Set(opts.fallbackModels?.() ?? [])
    for (const node of opts.registry.list()) {
      for (const m of node.advert.models) {
        const s = models.get(m.id) ?? {
          id: m.id, nodes: 0, slotsTotal: 0, slotsFree: 0, contextSize: 0,
          modelHashes: new Set<string>(), created: Math.floor(node.advert.issuedAt / 1000)
        }
        s.nodes++
        s.slotsTotal += node.advert.slots.total
        s.slotsFree += freeSlots(node)
        s.contextSize = Math.max(s.contextSize, m.contextSize)
        s.modelHashes.add(m.modelHash)
        s.created = Math.min(s.created, Math.floor(node.advert.issuedAt / 1000))
        models.set(m.id, s)
      }
    }
    for (const id of fallback) {
      if (!models.has(id)) {
        models.set(id, {
          id, nodes: 0, slotsTotal: 0, slotsFree: 0, contextSize: 0, modelHashes: new Set(),
          created: Math.floor(Date.now() / 1000)
        })
      }
    }
    return {
      object: 'list',
      data: [...models.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => ({
        id: s.id,
        object: 'model',
        created: s.created,
        owned_by: 'parallelix',
        parallelix: {
          nodes: s.nodes,
          slots_total: s.slotsTotal,
          slots_free: s.slotsFree,
          context_size: s.contextSize,
          model_hashes: [...s.modelHashes],
          fallback: fallback.has(s.id)
        }
      }))
    }
  })

  app.get('/v1/nodes', async () => ({
    object: 'list',
    data: opts.registry.list().map((node) => ({
      peer_id: node.peerId,
      operator: node.advert.operator,
      models: node.advert.models.map((m) => ({
        id: m.id, model_hash: m.modelHash, context_size: m.contextSize, size_bytes: m.sizeBytes,
        architecture: m.architecture ?? null
      })),
      hardware: node.advert.hardware,
      slots: { total: node.advert.slots.total, free: freeSlots(node) },
      load: node.inflight,
      tokens_per_second: node.advert.tokensPerSecond,
      last_seen: new Date(node.lastSeen).toISOString(),
      addrs: node.advert.addrs
    }))
  }))
}
