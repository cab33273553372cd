import { byteStream } from '@libp2p/utils'
import { equals } from 'uint8arrays/equals'
import { isCarrier, isRelayed } from './connectivity.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection } from '@libp2p/interface'

/** The ping protocol (libp2p's ping service answers it on every node) and its payload size. */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_BYTES = 32

/** Every connection is pinged this often, so a dead one is replaced before a send finds out. */
export const KEEPALIVE_MS = 10_000
/** A live connection answers a ping in milliseconds; no answer by then counts as a miss. */
export const PING_TIMEOUT_MS = 5_000
/**
 * Misses in a row before a connection is declared dead: one slow answer on a
 * busy phone or machine must not cost a working connection (with the relay
 * gone it could not be made again).
 */
export const PING_MISSES = 2

export interface LivenessOptions {
  /** a connection was declared dead and aborted */
  onDead?: (conn: Connection) => void
}

/**
 * Pings every connection that matters (relays, peers, a relayed chat carrier)
 * and aborts one that misses PING_MISSES pings in a row, so its owner (the
 * RelayKeeper, the messenger) replaces it. This stands in for libp2p's own
 * connection monitor, which aborts on the first failed ping; that includes a
 * ping that failed only because another ping of the same connection was in
 * flight (the ping protocol allows one outbound stream per connection). So
 * there is exactly one pinger, and it never overlaps itself on a connection.
 */
export class Liveness {
  readonly #node: PeerlinkNode
  readonly #options: LivenessOptions
  readonly #misses = new WeakMap<Connection, number>()
  readonly #inFlight = new WeakSet<Connection>()
  /** connections to ask again at once after a miss (see check) */
  readonly #soon = new WeakSet<Connection>()
  #timer: ReturnType<typeof setInterval> | undefined

  constructor (node: PeerlinkNode, options: LivenessOptions = {}) {
    this.#node = node
    this.#options = options
  }

  start (): void {
    this.#timer ??= setInterval(() => { void this.check() }, KEEPALIVE_MS)
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /**
   * Pings every connection now. `soon`: after a wake-up or the network coming
   * back, when a connection is likely dead; one that misses is asked again at
   * once, not at the next tick, so a dead one goes within two ping timeouts
   * rather than up to KEEPALIVE_MS later, while its owner (the relay's keeper,
   * which takes any open connection as its relay's) waits on it. That holds
   * for a connection whose ping was under way already.
   */
  async check (options: { soon?: boolean } = {}): Promise<void> {
    const conns = this.#node.getConnections().filter(conn =>
      // a relayed connection that only carries WebRTC signaling lives for a second
      conn.status === 'open' && (!isRelayed(conn) || isCarrier(conn)))
    if (options.soon === true) for (const conn of conns) this.#soon.add(conn)
    await Promise.all(conns.filter(conn => !this.#inFlight.has(conn)).map(async conn => { await this.#ping(conn) }))
  }

  async #ping (conn: Connection): Promise<void> {
    this.#inFlight.add(conn)
    try {
      if (!await this.#pingOnce(conn) && this.#soon.has(conn) && conn.status === 'open') await this.#pingOnce(conn)
    } finally {
      this.#soon.delete(conn)
      this.#inFlight.delete(conn)
    }
  }

  /** One ping; false on a miss (the connection aborted at the PING_MISSES-th in a row). */
  async #pingOnce (conn: Connection): Promise<boolean> {
    try {
      await ping(conn)
      this.#misses.delete(conn)
      return true
    } catch {
      const misses = (this.#misses.get(conn) ?? 0) + 1
      this.#misses.set(conn, misses)
      if (misses >= PING_MISSES && conn.status === 'open') {
        this.#options.onDead?.(conn)
        conn.abort(new Error('no answer to ping'))
      }
      return false
    }
  }
}

/**
 * One ping on this very connection; the ping service would pick any
 * connection to the peer, and the question is whether this one is alive.
 */
async function ping (conn: Connection): Promise<void> {
  const signal = AbortSignal.timeout(PING_TIMEOUT_MS)
  const stream = await conn.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
  try {
    const bytes = byteStream(stream)
    const data = crypto.getRandomValues(new Uint8Array(PING_BYTES))
    const [, echo] = await Promise.all([bytes.write(data, { signal }), bytes.read({ bytes: PING_BYTES, signal })])
    if (!equals(echo.subarray(), data)) throw new Error('the ping came back changed')
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
