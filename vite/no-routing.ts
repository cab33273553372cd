import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p's peer and content routing ask the node's routers (a DHT, a delegated
// routing service) where a peer is, which peers are near a key, who provides
// a key, or a key's value. A Peerlink page configures none: its DHT is a
// stand-in loaded on first use for location records (src/lib/p2p/dht.ts), not
// one of libp2p's routers. So every call fails (a dial to a peer with no
// known address takes NoPeerRoutersError as "not found"), and the code that
// merges routers' answers never runs: about 4 KB of the first page. The
// browser build gives libp2p routing that answers as libp2p's does with no
// router, and fails loudly if a router is ever configured, so adding one
// cannot be silently ignored. The relay runs under Node without this plugin
// and keeps libp2p's.

const LIBP2P_MODULE = /[\\/]libp2p[\\/]dist[\\/]src[\\/]libp2p\.js$/
export const ROUTING_MODULES = new Set(['./peer-routing.js', './content-routing.js'])

export const NO_ROUTING_CODE = [
  "import { NotStartedError } from '@libp2p/interface'",
  'class NoPeerRoutersError extends Error {',
  "  constructor (message = 'No peer routers available') { super(message); this.name = 'NoPeerRoutersError' }",
  '}',
  'class NoContentRoutersError extends Error {',
  "  constructor (message = 'No content routers available') { super(message); this.name = 'NoContentRoutersError' }",
  '}',
  // the routers libp2p hands over; services add theirs to the same array later, so it is read at each call
  'function noRouters (routers) {',
  '  if (routers.length > 0) {',
  "    throw new Error('This build of libp2p has no routing (vite/no-routing.ts), yet a router was configured')",
  '  }',
  '}',
  'export class DefaultPeerRouting {',
  '  constructor (components, init = {}) { this.routers = init.routers ?? [] }',
  '  async findPeer () { noRouters(this.routers); throw new NoPeerRoutersError() }',
  '  async * getClosestPeers () { noRouters(this.routers); throw new NoPeerRoutersError() }',
  '}',
  'export class CompoundContentRouting {',
  '  constructor (components, init = {}) { this.routers = init.routers ?? []; this.started = false }',
  '  isStarted () { return this.started }',
  '  async start () { this.started = true }',
  '  async stop () { this.started = false }',
  '  async * findProviders () { noRouters(this.routers); throw new NoContentRoutersError() }',
  '  async provide () { noRouters(this.routers); throw new NoContentRoutersError() }',
  '  async cancelReprovide () { noRouters(this.routers); throw new NoContentRoutersError() }',
  // stored with every one of no routers
  '  async put () { if (!this.started) throw new NotStartedError(); noRouters(this.routers) }',
  // answered by none of no routers, as Promise.any of nothing rejects
  "  async get () { if (!this.started) throw new NotStartedError(); noRouters(this.routers); throw new AggregateError([], 'All promises were rejected') }",
  '}'
].join('\n')

export function noRouting (): Plugin {
  return swapImport({
    name: 'peerlink-no-routing',
    importer: LIBP2P_MODULE,
    sources: ROUTING_MODULES,
    code: NO_ROUTING_CODE
  })
}
