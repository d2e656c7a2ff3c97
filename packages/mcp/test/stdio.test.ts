import t from 'tap'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  getDefaultEnvironment, StdioClientTransport
} from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { ParalleliX } from '@parallelix/sdk'
import { devnetApiKey, missingEndpoint, startTestDevnet } from './helpers/devnet.ts'

const BIN = join(import.meta.dirname, '..', 'bin', 'parallelix-mcp.js')
const INPUTS = ['a dog', 'a cat', 'a bird', 'a fish', 'a king', 'a tree', 'a boat', 'a star',
  'a frog', 'a cake']
const INSTRUCTION = 'Once upon a time there was {input}'

const devnet = await startTestDevnet('mcp-stdio')
t.teardown(devnet.stop)
const apiKey = devnetApiKey(devnet)
const sdk = new ParalleliX({ baseUrl: devnet.apiBase, ...(apiKey === undefined ? {} : { apiKey }) })
const batchMissing = await missingEndpoint(devnet, 'POST', '/batch')
const usageMissing = await missingEndpoint(devnet, 'GET', '/usage')

let stderr = ''
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [BIN],
  env: {
    ...getDefaultEnvironment(),
    PARALLELIX_BASE_URL: devnet.apiBase,
    ...(apiKey === undefined ? {} : { PARALLELIX_API_KEY: apiKey })
  },
  stderr: 'pipe'
})
transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
const client = new Client({ name: 'parallelix-test', version: '0.0.0' })
await client.connect(transport)
t.teardown(async () => { await client.close() })

async function call (name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }, undefined,
    { timeout: 120_000 }) as CallToolResult
}

function text (result: CallToolResult, part = 0): string {
  const item = result.content[part]
  return item?.type === 'text' ? item.text : ''
}

t.test('lists its four tools, each with an object input schema', async (t) => {
  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), ['chat', 'list_models', 'parallel_map', 'usage'])
  for (const tool of tools) t.equal(tool.inputSchema.type, 'object', `${tool.name} schema`)
  const map = tools.find((tool) => tool.name === 'parallel_map')
  t.same(Object.keys(map?.inputSchema.properties ?? {}).sort(), [
    'budget', 'concurrency', 'deadline_seconds', 'inputs', 'instruction', 'max_tokens', 'model',
    'temperature'
  ])
  t.same(map?.inputSchema.required, ['inputs', 'instruction', 'model'])
})

t.test('logs to stderr only, starting with a ready line', async (t) => {
  const first = JSON.parse(stderr.split('\n')[0] ?? '{}') as Record<string, unknown>
  t.match(first, { level: 'info', name: 'mcp:server', msg: 'parallelix-mcp ready',
    baseUrl: devnet.apiBase })
})

t.test('list_models names the devnet model with its two nodes', async (t) => {
  const result = await call('list_models', {})
  t.equal(result.isError, undefined)
  t.match(JSON.parse(text(result)), [{ id: 'stories260K', nodes: 2, slots_total: 4 }])
})

t.test('chat answers with the same text the SDK gets at temperature 0', async (t) => {
  const expected = await sdk.chat({ model: 'stories260K', max_tokens: 16, temperature: 0,
    messages: [{ role: 'user', content: 'Once upon a time' }] })

  const result = await call('chat', { prompt: 'Once upon a time', model: 'stories260K',
    max_tokens: 16, temperature: 0 })

  t.equal(result.isError, undefined)
  t.equal(text(result), expected.text)
  t.match(JSON.parse(text(result, 1)), { model: 'stories260K', finish_reason: 'length',
    usage: { completion_tokens: 16 } })
  t.match(JSON.parse(text(result, 1)).request_id, /^[A-Za-z0-9_-]+$/)
})

t.test('parallel_map returns one result per input, in order, with the total cost', {
  skip: batchMissing ?? false
}, async (t) => {
  const expected: string[] = []
  for (const input of INPUTS) {
    expected.push((await sdk.chat({ model: 'stories260K', max_tokens: 6, temperature: 0,
      messages: [{ role: 'user', content: `Once upon a time there was ${input}` }] })).text)
  }

  const result = await call('parallel_map', { inputs: INPUTS, instruction: INSTRUCTION,
    model: 'stories260K', max_tokens: 6, temperature: 0, concurrency: 10 })
  const body = JSON.parse(text(result)) as {
    results: Array<{ index: number, input: string, status: string, output: string }>
    completed: number, total_cost: string, stopped: null
  }

  t.equal(result.isError, undefined)
  t.same(body.results.map((r) => [r.index, r.input, r.status]),
    INPUTS.map((input, i) => [i, input, 'completed']))
  t.same(body.results.map((r) => r.output), expected)
  t.equal(body.completed, 10)
  t.match(body.total_cost, /^(0|[1-9][0-9]*)$/)
  t.equal(body.stopped, null)
})

t.test('parallel_map reports a missing batch endpoint as a tool error naming it', {
  skip: batchMissing === undefined ? 'POST /v1/batch exists on this coordinator' : false
}, async (t) => {
  const result = await call('parallel_map', { inputs: INPUTS, instruction: INSTRUCTION,
    model: 'stories260K', max_tokens: 6 })
  t.equal(result.isError, true)
  t.match(text(result), /POST \/v1\/batch/)
})

t.test('usage answers with totals, or names the missing endpoint as a tool error',
  async (t) => {
    const result = await call('usage', {})
    if (usageMissing !== undefined) {
      t.equal(result.isError, true)
      t.match(text(result), /usage failed: Unknown route GET \/v1\/usage \(unknown_url\)/)
      return
    }
    t.equal(result.isError, undefined)
    t.match(JSON.parse(text(result)), { requests: Number, spent: /^[0-9]+$/ })
  })

t.test('a bad tool input comes back as a tool error and the server keeps serving',
  async (t) => {
    const result = await call('parallel_map', { inputs: 'not a list', instruction: '{input}',
      model: 'stories260K' })

    t.equal(result.isError, true)
    t.match(text(result), /Input validation error/)
    t.match(text(result), /inputs/)
    t.same((await client.listTools()).tools.length, 4)
  })

t.test('an API error comes back as a tool error with its code', async (t) => {
  const result = await call('chat', { prompt: 'Hello', model: 'no-such-model' })
  t.equal(result.isError, true)
  t.match(text(result), /^chat failed: .*no-such-model.* \(model_not_found\)$/)
})
