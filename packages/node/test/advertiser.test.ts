import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import {
  ADVERT_TOPIC, advertSchema, decodeMessage, MAX_ADVERT_BYTES, type Advert
} from '@parallelix/protocol'
import { createPeer, type Peer } from '@parallelix/protocol/mesh'
import { Advertiser, MIN_SLOT_ADVERT_GAP_MS } from '../src/advertiser.ts'
import { InferenceEngine } from '../src/index.ts'
import { ensureTinyModel } from '../src/model/tiny-gguf.ts'

let dir: string
let engine: InferenceEngine
let hub: Peer
let node: Peer
let advertiser: Advertiser
const heard: Advert[] = []

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-advert-'))
  const model = await ensureTinyModel(dir)
  engine = await InferenceEngine.load({
    modelPath: model.path, modelId: 'tiny', threads: 1, slots: 2, contextSize: 128
  })
  hub = await createPeer({
    privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0']
  })
  hub.services.pubsub.subscribe(ADVERT_TOPIC)
  hub.services.pubsub.addEventListener('message', (e) => {
    if (e.detail.topic !== ADVERT_TOPIC) return
    heard.push(decodeMessage(e.detail.data, advertSchema, MAX_ADVERT_BYTES))
  })
  node = await createPeer({
    privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: hub.getMultiaddrs().map(String)
  })
  advertiser = new Advertiser({
    peer: node, engine, operator: privateKeyToAccount(generatePrivateKey()),
    tokensPerSecond: 100, intervalMs: 60_000
  })
})

t.teardown(async () => {
  advertiser?.stop()
  await node?.stop()
  await hub?.stop()
  await engine?.close()
  await rm(dir, { recursive: true, force: true })
})

const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('announces a burst of slot changes once, and the last state', async (t) => {
  // Until the hub has the node's first advert, gossip between the two is still forming.
  const deadline = Date.now() + 20_000
  while (heard.length === 0 && Date.now() < deadline) {
    await advertiser.publish()
    await sleep(200)
  }
  t.ok(heard.length > 0, 'the hub hears the node')
  await sleep(MIN_SLOT_ADVERT_GAP_MS * 2)
  const before = heard.length

  for (let i = 0; i < 50; i++) {
    advertiser.slotsChanged()
    await sleep(2)
  }
  await sleep(MIN_SLOT_ADVERT_GAP_MS * 4)
  const burst = heard.slice(before)
  t.ok(burst.length >= 1 && burst.length <= 2,
    `50 slot changes in ~100 ms made ${burst.length} advert(s), not 50`)
  t.same(burst.at(-1)?.body.slots, { total: 2, free: 2 }, 'the last one has the current slots')
  const seqs = heard.map((a) => a.body.seq)
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'in sequence order')
})
