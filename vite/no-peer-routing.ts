import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p's peer routing asks the node's peer routers (a DHT, a delegated
// routing service) where a peer is, or which peers are near a key. A Peerlink
// page configures none: its DHT is a stand-in loaded on first use for
// location records (src/lib/p2p/dht.ts), not one of libp2p's routers. So every
// call fails with NoPeerRoutersError (a dial to a peer with no known address
// takes that as "not found"), and the code that merges routers' answers never
// runs: about 2 KB of the first page. The browser build gives libp2p a peer
// routing that fails the same way, and loudly if a router is ever configured,
// so adding one cannot be silently ignored. The relay runs under Node without
// this plugin and keeps libp2p's.

const LIBP2P_MODULE = /[\\/]libp2p[\\/]dist[\\/]src[\\/]libp2p\.js$/
const PEER_ROUTING_MODULE = './peer-routing.js'

export const NO_PEER_ROUTING_CODE = [
  'class NoPeerRoutersError extends Error {',
  "  constructor (message = 'No peer routers available') { super(message); this.name = 'NoPeerRoutersError' }",
  '}',
  'export class DefaultPeerRouting {',
  '  constructor (components, init = {}) { this.routers = init.routers ?? [] }',
  '  refuse () {',
  '    if (this.routers.length > 0) {',
  "      throw new Error('This build of libp2p has no peer routing (vite/no-peer-routing.ts), yet a peer router was configured')",
  '    }',
  '    throw new NoPeerRoutersError()',
  '  }',
  '  async findPeer () { this.refuse() }',
  '  async * getClosestPeers () { this.refuse() }',
  '}'
].join('\n')

export function noPeerRouting (): Plugin {
  return swapImport({
    name: 'peerlink-no-peer-routing',
    importer: LIBP2P_MODULE,
    sources: new Set([PEER_ROUTING_MODULE]),
    code: NO_PEER_ROUTING_CODE
  })
}
