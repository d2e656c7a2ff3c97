import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { jsonResult, toolError } from '../tool-result.ts'
import type { ToolContext } from './context.ts'

/** list_models: the models the live pool serves, with how much capacity each has now. */
export function registerListModelsTool (server: McpServer, { client }: ToolContext): void {
  server.registerTool('list_models', {
    title: 'Models on the ParalleliX network',
    description: 'Lists the open-source models the ParalleliX network serves right now, with ' +
      'the number of nodes, free slots and context size of each.',
    inputSchema: {}
  }, async (_args, extra) => {
    try {
      const models = await client.models({ signal: extra.signal })
      return jsonResult(models.map((m) => ({
        id: m.id,
        nodes: m.parallelix.nodes,
        slots_free: m.parallelix.slots_free,
        slots_total: m.parallelix.slots_total,
        context_size: m.parallelix.context_size
      })))
    } catch (err) {
      return toolError('list_models', err)
    }
  })
}
