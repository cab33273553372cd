import { MARKS, mark } from '../shared/marks.ts'
import { Blocklist } from './blocklist.ts'
import { fetchRelayInfoAndKeep } from './relay-source.ts'
import { IceServers } from './ice-servers.ts'
import { RelayRefresh } from './relay-refresh.ts'
import { applyRelayInfo } from './relay-update.ts'
import { tellOtherTabs } from './tab-news.ts'
import type { Running } from './running.ts'
import type { P2p } from './p2p-loader.ts'
import type { RelayInfo } from '../shared/relay-info.ts'
import type { RelayStatus } from '../p2p/relay-keeper.ts'
import type { Store } from '../store/index.ts'
import type { PrivateKey } from '@libp2p/interface'

/** What the parts ask of the page, and tell it. */
export interface AppHooks {
  /** the user is looking at this conversation now (nothing there is unread) */
  isReading: (peer: string) => boolean
  name: () => string
  readReceipts: () => boolean
  onProblem: (problem: { peer: string, message: string }) => void
  onRelayStatus: (status: RelayStatus) => void
}

/**
 * Builds the node and the parts that work on it (relay keeper, locator,
 * messenger) and wires them together; nothing is started yet, so the caller
 * can still drop them all when its tab stops running the node meanwhile.
 */
export async function assemble (p2p: P2p, info: RelayInfo, store: Store, privateKey: PrivateKey, hooks: AppHooks): Promise<Running> {
  const { createPeerlinkNode, KnownRelays, Locator, Messenger, RelayKeeper, otherRelayAddresses, relayAddresses } = p2p
  const relays = relayAddresses(info, location)
  // read by the gater, the reservation guard and the keeper at each use: the refresh below changes it
  const known = new KnownRelays(relays, otherRelayAddresses(info))
  // the description's TURN credentials expire; a fresh one is fetched (and kept, as at the start) when they have
  const ice = new IceServers(info.iceServers, fetchRelayInfoAndKeep)
  const blocklist = new Blocklist(store)
  // read while the node is made, and before it starts: no blocked peer gets in meanwhile
  const [node] = await Promise.all([
    createPeerlinkNode({ privateKey, relays, known, iceServers: async () => await ice.current(), blocked: () => blocklist.peers }),
    blocklist.load()
  ])
  mark(MARKS.nodeCreated)
  const keeper = new RelayKeeper(node, known)
  const log = node.logger.forComponent('peerlink:relay-refresh')
  const refresh = new RelayRefresh({
    fetch: fetchRelayInfoAndKeep,
    apply: next => {
      applyRelayInfo(next, {
        known,
        ice,
        connectedPeers: () => node.getConnections().map(c => c.remotePeer.toString()),
        reconnectNow: keeper.reconnectNow,
        otherRelayAddresses,
        ownRelayAddresses: next => relayAddresses(next, location),
        ownPeerId: info.peerId,
        log
      })
    },
    log
  })
  const locator = new Locator(node, privateKey)
  const messenger = new Messenger({
    node,
    store,
    blocklist,
    relays: () => relays,
    locate: async (peer, options) => await locator.find(peer, options),
    isReading: hooks.isReading,
    name: hooks.name,
    readReceipts: hooks.readReceipts
  })
  tellOtherTabs(messenger)
  messenger.addEventListener('problem', evt => { hooks.onProblem(evt.detail) })
  keeper.addEventListener('status', evt => {
    hooks.onRelayStatus(evt.detail)
    refresh.relayStatus(evt.detail)
    if (evt.detail === 'connected') mark(MARKS.relayConnected)
    if (evt.detail === 'reserved') {
      mark(MARKS.relayReserved)
      // signaling runs through the relay: peers that were out of reach may be reachable again
      messenger.retryNow()
    }
  })
  return { node, store, messenger, keeper, locator, relays, refresh }
}
