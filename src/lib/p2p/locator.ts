import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Backoff } from './backoff.ts'
import {
  LOCATION_PUBLISH_TIMEOUT_MS, LOCATION_LOOKUP_GRACE_MS, LOCATION_LOOKUP_TIMEOUT_MS, LOCATION_REPUBLISH_MS,
  LOCATION_RETRY_MAX_MS, LOCATION_RETRY_MIN_MS, LOCATION_SETTLE_MS
} from './constants.ts'
import { locationKey, openLocation, sealLocation, selectLocation } from '../shared/location-record.ts'
import type { PeerlinkNode } from './node.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const CIRCUIT = '/p2p-circuit'

/** Our addresses through relays (`<relay>/p2p-circuit[/webrtc]/p2p/<us>`), the ones worth publishing. */
export function circuitAddresses (node: PeerlinkNode): Multiaddr[] {
  return node.getMultiaddrs().filter(ma => ma.toString().includes(`${CIRCUIT}/`))
}

function addressKey (from: PeerlinkNode | Multiaddr[]): string {
  const addrs = Array.isArray(from) ? from : circuitAddresses(from)
  return addrs.map(String).sort().join(' ')
}

/** The relays a set of circuit addresses goes through, each once, in order. */
export function relaysOf (addrs: Multiaddr[]): string[] {
  const relays = new Set<string>()
  for (const ma of addrs) {
    const text = ma.toString()
    const at = text.indexOf(CIRCUIT)
    if (at > 0) relays.add(multiaddr(text.slice(0, at)).toString())
  }
  return [...relays]
}

/**
 * Finds peers by peer ID alone through Peerlink's DHT, and keeps this
 * browser findable: a moment after its circuit addresses change (a new
 * reservation, another relay) and every LOCATION_REPUBLISH_MS while online,
 * it publishes a signed record of them under its peer ID. The relays are the
 * DHT servers; a friend on another relay reads the record, checks the
 * signature and age, and dials through the relay it names.
 */
export class Locator {
  readonly #node: PeerlinkNode
  readonly #privateKey: PrivateKey
  readonly #retry = new Backoff({ minMs: LOCATION_RETRY_MIN_MS, maxMs: LOCATION_RETRY_MAX_MS })
  #published = ''
  #timer: ReturnType<typeof setTimeout> | undefined
  #publishing = false
  #stopped = true
  /** when the last record we signed says it was signed (ms since the epoch, by our clock then) */
  #lastIssuedAt = 0
  /** successful publications and lookups, for diagnostics */
  readonly stats = { published: 0, publishFailures: 0, lookups: 0, found: 0 }

  constructor (node: PeerlinkNode, privateKey: PrivateKey) {
    this.#node = node
    this.#privateKey = privateKey
  }

  start (): void {
    this.#stopped = false
    this.#node.addEventListener('self:peer:update', this.#onAddresses)
    this.#node.addEventListener('transport:listening', this.#onAddresses)
    this.#onAddresses()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#node.removeEventListener('self:peer:update', this.#onAddresses)
    this.#node.removeEventListener('transport:listening', this.#onAddresses)
  }

  /** Publish now, e.g. when a reservation landed. Returns whether at least one relay stored the record. */
  async publishNow (): Promise<boolean> {
    if (this.#stopped || this.#publishing) return false
    const addrs = circuitAddresses(this.#node)
    if (addrs.length === 0) return false
    this.#publishing = true
    clearTimeout(this.#timer)
    let stored = false
    try {
      stored = await this.#publish(addrs)
      // refused everywhere: perhaps for a record of ours dated later than now (our
      // clock was ahead when we signed it, then set right), which every relay keeps
      // over an older one; ours must follow it, or none is taken until our clock passes it
      if (!stored && await this.#catchUpWithHeld()) stored = await this.#publish(addrs)
    } catch {
      // a timeout or no reachable DHT server: counted as a failure below
    } finally {
      this.#publishing = false
    }
    if (stored) {
      this.stats.published++
      this.#published = addressKey(addrs)
      this.#retry.reset()
      // the addresses may have changed while the record was on its way
      this.#schedule(addressKey(this.#node) === this.#published ? LOCATION_REPUBLISH_MS : 0)
    } else {
      this.stats.publishFailures++
      this.#schedule(this.#retry.next())
    }
    return stored
  }

  /** Signs and puts one record, dated after every one signed before; whether a relay stored it. */
  async #publish (addrs: Multiaddr[]): Promise<boolean> {
    // the relays take only a record newer than the one they hold, by the time it
    // names: a clock set back (by NTP, by hand) must not date ours before the last
    const issuedAt = Math.max(Date.now(), this.#lastIssuedAt + 1)
    this.#lastIssuedAt = issuedAt
    const value = await sealLocation(this.#privateKey, this.#node.peerId, addrs, issuedAt)
    let stored = 0
    for await (const event of this.#node.services.dht.put(locationKey(this.#node.peerId), value, {
      signal: AbortSignal.timeout(LOCATION_PUBLISH_TIMEOUT_MS)
    })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') stored++
    }
    return stored > 0
  }

  /** Whether the DHT holds a record of ours dated after the one just refused; the next one then follows it. */
  async #catchUpWithHeld (): Promise<boolean> {
    const records = await this.#records(this.#node.peerId)
    let held = -Infinity
    for (const value of records) {
      try {
        held = Math.max(held, (await openLocation(locationKey(this.#node.peerId), value)).issuedAt)
      } catch {
        // not a record of ours that counts
      }
    }
    // the one just signed is among them (kad-dht keeps what it puts): only a later one counts
    if (held <= this.#lastIssuedAt) return false
    this.#lastIssuedAt = held
    return true
  }

  /**
   * The relays a peer said it is reachable through, from the newest valid
   * record the DHT holds; empty when there is none (or no DHT server answers
   * in time). Never throws: not finding a peer is an ordinary outcome.
   */
  async find (peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    this.stats.lookups++
    const key = locationKey(peer)
    const records = await this.#records(peer, options)
    if (records.length === 0) return []
    try {
      const location = await openLocation(key, records[await selectLocation(key, records)])
      const relays = relaysOf(location.multiaddrs)
      if (relays.length > 0) this.stats.found++
      return relays
    } catch {
      return []
    }
  }

  /**
   * Every record of `peer` a DHT server answered with (kad-dht passes on only
   * the ones its validator took). Its own VALUE comes only once the whole query
   * is over and every server that answered with an older record took the newest
   * back: a query that times out, or one such server that refuses, would lose them all.
   */
  async #records (peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<Uint8Array[]> {
    const records: Uint8Array[] = []
    // the query otherwise waits for every server it heard of, a stalled one for seconds
    const enough = new AbortController()
    let grace: ReturnType<typeof setTimeout> | undefined
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(LOCATION_LOOKUP_TIMEOUT_MS), enough.signal, ...(options.signal != null ? [options.signal] : [])])
      for await (const event of this.#node.services.dht.get(locationKey(peer), { signal })) {
        const value = event.name === 'PEER_RESPONSE' ? event.record?.value : event.name === 'VALUE' ? event.value : undefined
        if (value == null) continue
        records.push(value)
        grace ??= setTimeout(() => { enough.abort() }, LOCATION_LOOKUP_GRACE_MS)
      }
    } catch {
      // a query that timed out, failed or had enough may still have found the record before
    } finally {
      clearTimeout(grace)
    }
    return records
  }

  readonly #onAddresses = (): void => {
    if (this.#stopped) return
    const now = addressKey(this.#node)
    // with the reservation gone, the relay may have restarted and forgotten
    // every record: the next reservation publishes again, even at the same address
    if (now === '') this.#published = ''
    else if (now !== this.#published) this.#schedule(LOCATION_SETTLE_MS)
  }

  #schedule (ms: number): void {
    clearTimeout(this.#timer)
    if (this.#stopped) return
    this.#timer = setTimeout(() => { void this.publishNow() }, ms)
  }
}
