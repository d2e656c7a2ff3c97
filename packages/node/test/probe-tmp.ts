import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { INFER_PROTOCOL, nodeFrameSchema } from '@parallelix/protocol'
import { createPeer, FramedStream } from '@parallelix/protocol/mesh'
import { startNode } from '../src/index.ts'
const dir = await mkdtemp(join(tmpdir(), 'px-p-'))
const node = await startNode({ dataDir: dir, modelPath: '/work/shared/models/stories260K.gguf', modelId: 's', bootstrap: [], threads: 1, slots: 1, contextSize: 512, tokensPerSecond: 1 })
const client = await createPeer({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
for (let i = 0; i < 10; i++) {
  const t0 = performance.now()
  const stream = await client.dialProtocol(node.peer.getMultiaddrs(), INFER_PROTOCOL, { negotiateFully: false })
  const t1 = performance.now()
  const f = new FramedStream(stream, { maxInbound: 1 << 16, maxOutbound: 1 << 20 })
  await f.write({ type: 'request', requestId: 'r' + i, model: 's', messages: [{ role: 'user', content: 'Once upon a time' }], params: { maxTokens: 256, temperature: 0, topP: 1, stop: [] } })
  let first = 0, n = 0
  for (;;) { const fr = await f.read(nodeFrameSchema); if (fr.type !== 'token') break; if (!first) first = performance.now(); n += fr.tokens }
  const t2 = performance.now()
  console.log(`dial ${(t1 - t0).toFixed(1)}ms ttft ${(first - t0).toFixed(1)}ms  ${(n / ((t2 - t0) / 1000)).toFixed(0)} tok/s`)
}
for (let i = 0; i < 3; i++) {
  const t0 = performance.now(); let first = 0
  const r = await node.engine.generate({ messages: [{ role: 'user', content: 'Once upon a time' }], params: { maxTokens: 256, temperature: 0, topP: 1, stop: [] } }, { onText: () => { if (!first) first = performance.now() } })
  const t2 = performance.now()
  console.log(`engine ttft ${(first - t0).toFixed(1)}ms ${(r.completionTokens / ((t2 - t0) / 1000)).toFixed(0)} tok/s`)
}
await client.stop(); await node.stop({ graceMs: 0 })
