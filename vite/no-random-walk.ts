import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p's random walk finds peers by asking its peer routers for the peers
// closest to random keys; circuit relay's discovery walks when a node has
// fewer relays than it wants. A Peerlink page has no peer router (its DHT is a
// stand-in loaded on first use for location records, src/lib/p2p/dht.ts, not
// one of libp2p's routers), so every walk fails at once with
// NoPeerRoutersError, and the page's relays come from /relay.json and the
// relay keeper, never from a walk. The browser build gives libp2p a walk that
// ends at once instead: circuit relay's discovery then finishes as it did
// after that error, without the walk's code (about 2 KB, with p-event) in the
// first page. The relay runs under Node without this plugin and keeps it.

const LIBP2P_MODULE = /[\\/]libp2p[\\/]dist[\\/]src[\\/]libp2p\.js$/
const RANDOM_WALK_MODULE = './random-walk.js'

export const NO_RANDOM_WALK_CODE = [
  'export class RandomWalk {',
  '  start () {}',
  '  stop () {}',
  '  async * walk () {}',
  '}'
].join('\n')

export function noRandomWalk (): Plugin {
  return swapImport({
    name: 'peerlink-no-random-walk',
    importer: LIBP2P_MODULE,
    sources: new Set([RANDOM_WALK_MODULE]),
    code: NO_RANDOM_WALK_CODE
  })
}
