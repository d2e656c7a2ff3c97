import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getLlama, LlamaCompletion } from 'node-llama-cpp'
import { ensureTinyModel } from '@parallelix/node'
import { ROOT, startDevnet } from '../lib/devnet.ts'

const RUNS = 15
const TOKENS = 256
const PROMPT = 'Once upon a time'

interface Sample { ttftMs: number, tokensPerSecond: number }

function sample (started: number, first: number, ended: number, tokens: number): Sample {
  return { ttftMs: first - started, tokensPerSecond: tokens / ((ended - started) / 1000) }
}

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function directSamples (modelPath: string): Promise<Sample[]> {
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath })
  const context = await model.createContext({ threads: 1, contextSize: 512 })
  const samples: Sample[] = []
  for (let i = 0; i < RUNS + 1; i++) {
    const sequence = context.getSequence()
    const completion = new LlamaCompletion({ contextSequence: sequence })
    const started = performance.now()
    let first = 0
    let tokens = 0
    await completion.generateCompletion(PROMPT, {
      maxTokens: TOKENS, temperature: 0,
      onToken: (t) => { tokens += t.length },
      onTextChunk: () => { if (first === 0) first = performance.now() }
    })
    const ended = performance.now()
    completion.dispose({ disposeSequence: false })
    sequence.dispose()
    if (i > 0) samples.push(sample(started, first, ended, tokens))
  }
  await context.dispose()
  await model.dispose()
  return samples
}

async function networkSamples (
  apiBase: string, apiKey: string, model: string
): Promise<Sample[]> {
  const samples: Sample[] = []
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now()
    const res = await fetch(`${apiBase}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        model, messages: [{ role: 'user', content: PROMPT }], max_tokens: TOKENS,
        temperature: 0, stream: true, stream_options: { include_usage: true }
      })
    })
    let first = 0
    let tokens = 0
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true })
      let idx
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, idx)
        buffer = buffer.slice(idx + 2)
        if (!event.startsWith('data: {')) continue
        const data = JSON.parse(event.slice(6))
        if (first === 0 && data.choices?.[0]?.delta?.content) first = performance.now()
        if (data.usage) tokens = data.usage.completion_tokens
      }
    }
    const ended = performance.now()
    if (i > 0) samples.push(sample(started, first, ended, tokens))
  }
  return samples
}

/** TTFT and tokens/s through coordinator and mesh vs node-llama-cpp directly, same model. */
export async function benchSpine (): Promise<string> {
  const shared = join(ROOT, '..', 'shared', 'models', 'stories260K.gguf')
  const stateDir = await mkdtemp(join(tmpdir(), 'px-bench-'))
  const modelPath = await import('node:fs').then((fs) => fs.existsSync(shared))
    ? shared
    : (await ensureTinyModel(join(stateDir, 'models'))).path
  const modelId = modelPath.split('/').pop()!.replace(/\.gguf$/, '')

  const devnet = await startDevnet({
    nodes: 1, model: modelPath, port: 0, stateDir, threads: 1, slots: 1, contextSize: 512
  })
  let net: Sample[]
  let direct: Sample[]
  try {
    net = await networkSamples(devnet.apiBase, devnet.apiKey, modelId)
    direct = await directSamples(modelPath)
  } finally {
    await devnet.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
  const dTtft = median(direct.map((s) => s.ttftMs))
  const nTtft = median(net.map((s) => s.ttftMs))
  const dTps = median(direct.map((s) => s.tokensPerSecond))
  const nTps = median(net.map((s) => s.tokensPerSecond))
  return [
    `spine: ${modelId}, ${TOKENS} tokens, ${RUNS} runs each, 1 thread, medians`,
    `  direct   TTFT ${dTtft.toFixed(2)} ms   ${dTps.toFixed(0)} tok/s`,
    `  network  TTFT ${nTtft.toFixed(2)} ms   ${nTps.toFixed(0)} tok/s` +
      '  (HTTP SSE → coordinator → libp2p → node)',
    `  TTFT overhead ${(nTtft - dTtft).toFixed(2)} ms (goal ≤ 1 ms)   ` +
      `throughput ratio ${(nTps / dTps).toFixed(3)}× (goal ≥ 0.98×)`
  ].join('\n')
}
