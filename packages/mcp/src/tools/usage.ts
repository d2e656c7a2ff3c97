import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { jsonResult, toolError } from '../tool-result.ts'
import type { ToolContext } from './context.ts'

/** usage: the account's totals and balance; amounts are decimal strings of base units. */
export function registerUsageTool (server: McpServer, { client }: ToolContext): void {
  server.registerTool('usage', {
    title: 'ParalleliX usage and balance',
    description: 'Reports requests, tokens, amount spent, amount reserved and balance of the ' +
      'configured API key, in total and per model. Amounts are base units.',
    inputSchema: {}
  }, async (_args, extra) => {
    try {
      return jsonResult(await client.usage({ signal: extra.signal }))
    } catch (err) {
      return toolError('usage', err)
    }
  })
}
