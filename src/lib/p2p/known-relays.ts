import { peerIdOf } from '../shared/addresses.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a new list of other relays changed, by relay address. */
export interface RelayListChange {
  added: Multiaddr[]
  removed: Multiaddr[]
}

/** The peer IDs the addresses name (an address without /p2p/ names none). */
export function peerIdsOf (addrs: Multiaddr[]): Set<string> {
  return new Set(addrs.map(peerIdOf).filter(id => id != null))
}

function sameAddrs (a: Multiaddr[], b: Multiaddr[]): boolean {
  return a.length === b.length && a.every((ma, i) => ma.equals(b[i]))
}

/**
 * `derive` of the list `get` returns, worked out again only when `get` returns
 * another array: KnownRelays hands out the same one until its list changes, so
 * a reader asked at every dial or relayed connection derives once per change.
 */
export function derivedFromList<T> (get: () => Multiaddr[], derive: (list: Multiaddr[]) => T): () => T {
  let from: Multiaddr[] | undefined
  let derived: T
  return () => {
    const list = get()
    if (list !== from) {
      from = list
      derived = derive(list)
    }
    return derived
  }
}

/**
 * The relays this node deals with, as the latest /relay.json describes them.
 * The connection gater, the reservation guard and the relay keeper read it at
 * each use rather than copying it when they are made, so a description
 * fetched while the page runs (state/relay-refresh.ts) reaches all of them.
 *
 * Our own relay stays as the page started with it: the page was loaded from
 * it, and the address built from the page's origin reaches it whatever it
 * announces. Only the other relays of the DHT come and go.
 */
export class KnownRelays {
  readonly #own: Multiaddr[]
  #others: Multiaddr[]
  /** gone from the list, but the node was still connected to them when it changed */
  #kept: Multiaddr[] = []
  #all: Multiaddr[]
  #ids: Set<string>

  constructor (own: Multiaddr[], others: Multiaddr[] = []) {
    this.#own = own
    this.#others = others
    this.#all = [...own, ...others]
    this.#ids = peerIdsOf(this.#all)
  }

  /** our own relay's addresses, best first */
  get own (): Multiaddr[] { return this.#own }

  /** the other relays of the DHT the node may dial, in the order relay.json lists them */
  get others (): Multiaddr[] { return this.#others }

  /**
   * Every relay the node deals with: its own, the others listed, and those
   * gone from the list that it was using when they went. The same array
   * until the list changes, so a reader may cache what it derives from it.
   */
  get all (): Multiaddr[] { return this.#all }

  /** the peer IDs of `all` */
  get ids (): Set<string> { return this.#ids }

  /**
   * Takes a new list of other relays. A relay gone from it that the node is
   * connected to (`connected`, by peer ID) stays known, so that its
   * connection still counts as a relay's and the reservation or the
   * conversations it carries are not cut, but it is never dialed again; a
   * later list drops it once the node no longer uses it.
   */
  setOthers (next: Multiaddr[], connected: (peerId: string) => boolean): RelayListChange {
    const before = this.#others
    const has = (list: Multiaddr[], ma: Multiaddr): boolean => list.some(other => other.equals(ma))
    const added = next.filter(ma => !has(before, ma))
    const removed = before.filter(ma => !has(next, ma))
    const nextIds = peerIdsOf(next)
    const kept = [...this.#kept, ...removed].filter(ma => {
      const id = peerIdOf(ma)
      return id != null && !nextIds.has(id) && connected(id)
    })
    if (sameAddrs(before, next) && sameAddrs(this.#kept, kept)) return { added, removed }
    this.#others = next
    this.#kept = kept
    this.#all = [...this.#own, ...next, ...kept]
    this.#ids = peerIdsOf(this.#all)
    return { added, removed }
  }
}
