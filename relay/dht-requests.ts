/**
 * Rules for what peers may ask the relay's DHT server to keep, put in front
 * of kad-dht's own request handlers (the library's options cannot say them).
 *
 * ADD_PROVIDER: Peerlink publishes location records, never provider records,
 * and kad-dht merges every address a provider message lists into the
 * sender's peer store entry, with no cap: one connected peer sending 16 KiB
 * messages grew its entry by a thousand addresses each, and as every merge
 * re-sorts the whole list, each message cost more CPU than the last (2 s per
 * message at 12,000 addresses, the relay's one thread held all that time).
 * The relay refuses them.
 *
 * PUT_VALUE: a record is stored only if it is a location record, and a peer
 * may add one only under its own peer ID. The validators see the record, not
 * who sent it: without this, one connection could PUT a record for each of
 * any number of keys it made up (each signed by its own fresh key, so each
 * valid), and the store, bounded at MAX_DHT_RECORDS oldest-out, would drop
 * every real browser's location until they next publish. Another peer's
 * record is still taken when it replaces one held here: that is how a
 * reader's DHT query corrects a relay that had an older record.
 *
 * Peers it tells about: a DHT server is a relay, reachable at an address of
 * its own. Anyone can say it serves the DHT protocol, and a browser tab that
 * does (announcing its circuit address through us) was taken in the routing
 * table and named to every browser asking for the servers nearest a key,
 * which then sent it their queries and their location records; a few such
 * tabs with peer IDs made near a friend's key could hold that friend's record
 * instead of the relays. A peer reachable only through a relay is neither
 * taken in the routing table nor named (kad-dht runs both through its
 * peerInfoMapper, and skips a peer left without addresses): node.ts wraps
 * its mapper in dhtServersOnly (src/lib/shared/addresses.ts), as the
 * browser's DHT client does.
 */
import { InvalidMessageError } from '@libp2p/interface'
import type { PeerId } from '@libp2p/interface'
import { Record as DhtRecord } from '@libp2p/kad-dht'
import { locationOwner } from '../src/lib/shared/location-record.ts'

/** A kad-dht request handler, as the library's RPC keeps them by message type. */
interface RequestHandler {
  handle: (peerId: PeerId, msg: { record?: Uint8Array }) => Promise<unknown>
}

/** kad-dht's RPC, reached through the service: the library has no public hook for its handlers. */
interface DhtInternals {
  rpc?: { handlers?: Partial<Record<string, RequestHandler>> }
}

export interface DhtRequestRules {
  /** whether a record is held for this DHT key now */
  holds: (key: Uint8Array) => Promise<boolean>
  /** a request refused by these rules, for metrics and the log */
  onRefused?: (type: string, peer: PeerId) => void
}

/** Whether `peer` may store `record`: see the PUT_VALUE rule above. */
async function mayPut (peer: PeerId, record: Uint8Array, rules: DhtRequestRules): Promise<boolean> {
  let key: Uint8Array
  try {
    key = DhtRecord.deserialize(record).key
  } catch {
    // kad-dht refuses it as it stands
    return true
  }
  let owner: PeerId
  try {
    owner = locationOwner(key)
  } catch {
    // any other namespace kad-dht knows (public keys): nothing Peerlink reads
    return false
  }
  return owner.equals(peer) || await rules.holds(key)
}

/** Puts the rules in front of `dht`'s handlers; throws when this kad-dht version keeps them elsewhere. */
export function guardDhtRequests (dht: unknown, rules: DhtRequestRules): void {
  const handlers = (dht as DhtInternals).rpc?.handlers
  const put = handlers?.PUT_VALUE
  if (handlers?.ADD_PROVIDER == null || put == null) {
    throw new Error('this @libp2p/kad-dht version keeps its request handlers elsewhere: the relay cannot guard them')
  }
  // the RPC aborts the stream on a throw, so the sender cannot go on with it
  handlers.ADD_PROVIDER = {
    async handle (peer) {
      rules.onRefused?.('ADD_PROVIDER', peer)
      throw new InvalidMessageError('this DHT keeps no provider records')
    }
  }
  handlers.PUT_VALUE = {
    async handle (peer, msg) {
      if (msg.record != null && !await mayPut(peer, msg.record, rules)) {
        rules.onRefused?.('PUT_VALUE', peer)
        throw new InvalidMessageError('a peer may add only its own location record')
      }
      return await put.handle(peer, msg)
    }
  }
}
