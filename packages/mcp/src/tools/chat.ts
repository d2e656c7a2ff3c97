import { z } from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ChatMessage } from '@parallelix/sdk'
import { toJson, toolError } from '../tool-result.ts'
import type { ToolContext } from './context.ts'

export const chatInput = {
  prompt: z.string().min(1).describe('The user message.'),
  system: z.string().min(1).optional().describe('An optional system message.'),
  model: z.string().min(1).describe('Model id, as list_models names it.'),
  max_tokens: z.number().int().min(1).max(32_768).optional(),
  temperature: z.number().min(0).max(2).optional()
}

/** chat: one completion; the text first, then who served it, its usage and cost. */
export function registerChatTool (server: McpServer, { client, log }: ToolContext): void {
  server.registerTool('chat', {
    title: 'One chat completion on the ParalleliX network',
    description: 'Sends one prompt to an open-source model on the ParalleliX network and ' +
      'returns its answer, followed by usage, cost and the request id of its signed receipt.',
    inputSchema: chatInput
  }, async (args, extra) => {
    const messages: ChatMessage[] = [
      ...(args.system === undefined ? [] : [{ role: 'system' as const, content: args.system }]),
      { role: 'user', content: args.prompt }
    ]
    try {
      const result = await client.chat({
        model: args.model,
        messages,
        ...(args.max_tokens === undefined ? {} : { max_tokens: args.max_tokens }),
        ...(args.temperature === undefined ? {} : { temperature: args.temperature })
      }, { signal: extra.signal })
      log.debug({ requestId: result.parallelix.request_id }, 'chat done')
      return {
        content: [
          { type: 'text', text: result.text },
          {
            type: 'text',
            text: toJson({
              model: result.model,
              finish_reason: result.finish_reason,
              usage: result.usage,
              cost: result.cost ?? null,
              request_id: result.parallelix.request_id,
              node: result.parallelix.node,
              operator: result.parallelix.operator
            })
          }
        ]
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'chat failed')
      return toolError('chat', err)
    }
  })
}
