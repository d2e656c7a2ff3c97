import './polyfill.ts'

export { createPeer } from './peer.ts'
export type { CreatePeerOptions, Peer, PeerServices } from './peer.ts'
export { FramedStream } from './framed-stream.ts'
export type { FramedStreamLimits } from './framed-stream.ts'
export { loadOrCreatePeerKey } from './peer-key.ts'
export type { Message as GossipMessage } from '@libp2p/gossipsub'
