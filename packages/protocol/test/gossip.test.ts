import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createPeer, type Peer } from '../src/mesh/index.ts'

const TOPIC = 'parallelix/test/gossip'
// Gossipsub's default score graylists peers once more than ~14 share one IP address.
const PUBLISHERS = 20

const peers: Peer[] = []
t.teardown(async () => { await Promise.all(peers.map(async (p) => p.stop())) })

async function peer (bootstrap?: string[]): Promise<Peer> {
  const p = await createPeer({
    privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap
  })
  peers.push(p)
  return p
}

t.test('delivers the messages of many peers behind one IP address', async (t) => {
  const hub = await peer()
  const seen = new Set<string>()
  hub.services.pubsub.subscribe(TOPIC)
  hub.services.pubsub.addEventListener('message', (e) => {
    if (e.detail.topic === TOPIC) seen.add(new TextDecoder().decode(e.detail.data))
  })
  const addrs = hub.getMultiaddrs().map(String)
  // Like operator nodes with their adverts: they publish to the topic without joining it.
  const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, async () =>
    peer(addrs)))

  const started = Date.now()
  const deadline = started + 30_000
  while (seen.size < PUBLISHERS && Date.now() < deadline) {
    // Publish again until the hub has each one's message: meshes form over a heartbeat.
    await Promise.all(publishers.map(async (p, i) => {
      await p.services.pubsub.publish(TOPIC, new TextEncoder().encode(`advert ${i}`))
    }))
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.equal(seen.size, PUBLISHERS, `the hub heard all ${PUBLISHERS} peers on 127.0.0.1`)
  t.comment(`all heard after ${Date.now() - started} ms`)
})
