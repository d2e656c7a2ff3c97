import './polyfill.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'

/** Inbound connections one host may open per second before libp2p resets them. */
const INBOUND_CONNECTIONS_PER_HOST_PER_SECOND = 100

export type PeerServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  dht: KadDHT
}

export type Peer = Libp2p<PeerServices>

export interface CreatePeerOptions {
  privateKey: PrivateKey
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/0`. */
  listen: string[]
  /** Multiaddrs (with /p2p/ peer id) dialled at start and kept connected. */
  bootstrap?: string[]
}

/**
 * Builds the libp2p stack every ParalleliX peer runs: TCP, noise, yamux, identify, ping,
 * gossipsub for adverts and a Kademlia DHT in server mode. The DHT keeps loopback and
 * private addresses so that a network on one machine or one LAN can route.
 */
export async function createPeer (options: CreatePeerOptions): Promise<Peer> {
  const bootstrapList = options.bootstrap ?? []
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: options.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : [],
    connectionManager: {
      // libp2p resets inbound connections from one host past 5 a second; a coordinator that
      // restarts sees every node of a NAT'd farm (or a devnet) reconnect at once.
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_HOST_PER_SECOND
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        // Adverts are signed by the operator key on top of the libp2p message signature.
        globalSignaturePolicy: 'StrictSign',
        // The default score graylists a host with more than ~14 peers behind one IP address
        // (a NAT'd GPU farm, a devnet), dropping their adverts unseen. Adverts carry operator
        // signatures bound to their sender, so that penalty buys nothing here.
        scoreParams: { IPColocationFactorWeight: 0 }
      }),
      dht: kadDHT({
        protocol: '/parallelix/kad/1.0.0',
        clientMode: false,
        peerInfoMapper: passthroughMapper
      })
    }
  })
}
