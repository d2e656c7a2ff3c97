import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SERVER_NAME, SERVER_VERSION } from './constants.ts'
import { registerChatTool } from './tools/chat.ts'
import type { ToolContext } from './tools/context.ts'
import { registerListModelsTool } from './tools/list-models.ts'
import { registerParallelMapTool } from './tools/parallel-map.ts'
import { registerUsageTool } from './tools/usage.ts'

/** The names of the tools the server offers. */
export const TOOL_NAMES = ['parallel_map', 'chat', 'list_models', 'usage'] as const

/** An MCP server whose tools run on the ParalleliX network through `context.client`. */
export function createMcpServer (context: ToolContext): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, {
    instructions: 'Use parallel_map to hand bulk, independent sub-tasks (one prompt per item) ' +
      'to open-source models on the ParalleliX network; call list_models first for model ids.'
  })
  registerParallelMapTool(server, context)
  registerChatTool(server, context)
  registerListModelsTool(server, context)
  registerUsageTool(server, context)
  return server
}
