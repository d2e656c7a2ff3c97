import { z } from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { MapResult } from '@parallelix/sdk'
import { MAX_MAP_INPUTS } from '../constants.ts'
import { renderPrompt } from '../prompt.ts'
import { jsonResult, toolError } from '../tool-result.ts'
import type { ToolContext } from './context.ts'

export const parallelMapInput = {
  inputs: z.array(z.string().min(1)).min(1).max(MAX_MAP_INPUTS)
    .describe('The items to process; one result comes back per item, in the same order.'),
  instruction: z.string().min(1)
    .describe('Prompt template applied to every item; {input} is replaced by the item.'),
  model: z.string().min(1).describe('Model id, as list_models names it.'),
  max_tokens: z.number().int().min(1).max(32_768).optional()
    .describe('Most tokens to generate per item.'),
  temperature: z.number().min(0).max(2).optional(),
  budget: z.string().regex(/^(0|[1-9][0-9]*)$/, 'a decimal string of base units').optional()
    .describe('Most to spend, in base units as a decimal string; the rest is cancelled.'),
  concurrency: z.number().int().min(1).max(MAX_MAP_INPUTS).optional()
    .describe('Most items in flight at once.'),
  deadline_seconds: z.number().positive().max(86_400).optional()
    .describe('Stop after this many seconds and return what completed.')
}

function itemView (r: MapResult<string>) {
  return {
    index: r.index,
    input: r.input,
    status: r.status,
    ...(r.output === undefined ? {} : { output: r.output }),
    ...(r.error === undefined ? {} : { error: r.error }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.cost === undefined ? {} : { cost: r.cost }),
    ...(r.parallelix === undefined
      ? {}
      : { request_id: r.parallelix.request_id, node: r.parallelix.node })
  }
}

/** parallel_map: one prompt per input, fanned out across the network as a batch. */
export function registerParallelMapTool (server: McpServer, { client, log }: ToolContext): void {
  server.registerTool('parallel_map', {
    title: 'Run one prompt per input across the ParalleliX network',
    description: 'Applies an instruction to every input in parallel on open-source models ' +
      'served by the ParalleliX network and returns one result per input, in input order, ' +
      'with the total cost. Suited to bulk sub-tasks: classify, extract, summarise, translate.',
    inputSchema: parallelMapInput
  }, async (args, extra) => {
    const started = Date.now()
    try {
      const out = await client.parallelMap(args.inputs,
        (input) => renderPrompt(args.instruction, input), {
          model: args.model,
          ...(args.max_tokens === undefined ? {} : { max_tokens: args.max_tokens }),
          ...(args.temperature === undefined ? {} : { temperature: args.temperature }),
          ...(args.budget === undefined ? {} : { budget: BigInt(args.budget) }),
          ...(args.concurrency === undefined ? {} : { concurrency: args.concurrency }),
          ...(args.deadline_seconds === undefined
            ? {}
            : { deadline: started + args.deadline_seconds * 1000 }),
          signal: extra.signal
        })
      const count = (s: string): number => out.results.filter((r) => r.status === s).length
      log.info({ items: args.inputs.length, completed: count('completed'),
        spent: out.spent.toString(), ms: Date.now() - started }, 'parallel_map done')
      return jsonResult({
        results: out.results.map(itemView),
        completed: count('completed'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        total_cost: out.spent,
        stopped: out.stopped
      })
    } catch (err) {
      log.error({ err: (err as Error).message, items: args.inputs.length }, 'parallel_map failed')
      return toolError('parallel_map', err)
    }
  })
}
