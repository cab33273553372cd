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
 */
import { InvalidMessageError } from '@libp2p/interface'
import type { PeerId } from '@libp2p/interface'

/** A kad-dht request handler, as the library's RPC keeps them by message type. */
interface RequestHandler {
  handle: (peerId: PeerId, msg: unknown) => Promise<unknown>
}

/** kad-dht's RPC, reached through the service: the library has no public hook for its handlers. */
interface DhtInternals {
  rpc?: { handlers?: Record<string, RequestHandler | undefined> }
}

export interface DhtRequestRules {
  /** a request refused by these rules, for metrics and the log */
  onRefused?: (type: string, peer: PeerId) => void
}

/** Puts the rules in front of `dht`'s handlers; throws when this kad-dht version keeps them elsewhere. */
export function guardDhtRequests (dht: unknown, rules: DhtRequestRules = {}): void {
  const handlers = (dht as DhtInternals).rpc?.handlers
  if (handlers?.ADD_PROVIDER == null) {
    throw new Error('this @libp2p/kad-dht version keeps its request handlers elsewhere: the relay cannot guard them')
  }
  handlers.ADD_PROVIDER = {
    async handle (peer) {
      rules.onRefused?.('ADD_PROVIDER', peer)
      // the RPC aborts the stream on a throw, so the sender cannot go on with it
      throw new InvalidMessageError('this DHT keeps no provider records')
    }
  }
}
