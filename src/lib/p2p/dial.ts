import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DIAL_ATTEMPTS, DIAL_TIMEOUT_MS, DIRECT_GRACE_MS } from './constants.ts'
import { isDirect, isRelayed, isStalled, untilDirect, useAsCarrier } from './connectivity.ts'
import { keepUpgrading } from './upgrade.ts'
import { MARKS, mark, type MarkName } from '../shared/marks.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection, PeerId } from '@libp2p/interface'

export class PeerUnreachableError extends Error {
  override name = 'PeerUnreachableError'
  /** every relay tried said it holds no reservation for the peer: it is not there, so no other rung can help */
  readonly notThere: boolean

  constructor (message: string, notThere = false) {
    super(message)
    this.notThere = notThere
  }
}

/** The relay answered that the peer holds no reservation with it: retrying through that relay is pointless. */
function isNoReservation (err: unknown): boolean {
  return String((err as Error | undefined)?.message ?? '').includes('NO_RESERVATION')
}

/** `<relay>/p2p-circuit/webrtc/p2p/<peer>`: signal through the relay, then connect directly. */
export function webrtcAddress (relay: Multiaddr | string, peer: PeerId): Multiaddr {
  return multiaddr(relay.toString()).encapsulate(`/p2p-circuit/webrtc/p2p/${peer.toString()}`)
}

/** `<relay>/p2p-circuit/p2p/<peer>`: a connection through the relay itself. */
export function circuitAddress (relay: Multiaddr | string, peer: PeerId): Multiaddr {
  return multiaddr(relay.toString()).encapsulate(`/p2p-circuit/p2p/${peer.toString()}`)
}

interface DialOptions { signal?: AbortSignal }

/**
 * A dial of the peer forces a new connection while one whose path is down is
 * still open (see isStalled): libp2p would hand that one back. The stalled
 * one is left alone; its path may come back, and liveness drops it if not.
 */
function mustForce (node: PeerlinkNode, peer: PeerId): boolean {
  return node.getConnections(peer).some(isStalled)
}

/** libp2p's progress events of a WebRTC dial through a relay, and the mark each leaves (the bench's phase split). */
const DIAL_STEPS: Partial<Record<string, MarkName>> = {
  'circuit-relay:open-hop-stream': MARKS.dialHop,
  'circuit-relay:read-connect-response': MARKS.dialCircuit,
  'upgrader:encrypt-outbound-connection': MARKS.dialRelayed,
  'webrtc:open-signaling-stream': MARKS.dialSignaling,
  'webrtc:send-sdp-offer': MARKS.dialOffer,
  'webrtc:read-ice-candidates': MARKS.dialIce
}

/** Marks one dial's steps; a connection to the relay made by this dial is encrypted too, and is not the relayed one. */
function stepMarker (): (evt: { type: string }) => void {
  let circuit = false
  return evt => {
    const name = DIAL_STEPS[evt.type]
    if (name === MARKS.dialCircuit) circuit = true
    if (name != null && (name !== MARKS.dialRelayed || circuit)) mark(name)
  }
}

/**
 * Gets a connection chat can use to a peer, climbing the connectivity ladder:
 * direct WebRTC (host, server-reflexive or TURN candidates, whichever ICE
 * finds) when it connects within DIRECT_GRACE_MS; otherwise the relayed
 * connection, while the direct attempt goes on and later ones follow with
 * back-off, so a relayed conversation moves to a direct path when one appears.
 */
export async function connectPeer (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, options: DialOptions = {}): Promise<Connection> {
  const existing = node.getConnections(peer).find(isDirect)
  if (existing != null) return existing
  const direct = dialDirect(node, peer, relays, options)
  let timer: ReturnType<typeof setTimeout> | undefined
  const outcome = await Promise.race([
    direct.then(conn => ({ conn }), (err: unknown) => ({ err })),
    new Promise<{ late: true }>(resolve => { timer = setTimeout(() => { resolve({ late: true }) }, DIRECT_GRACE_MS) })
  ]).finally(() => { clearTimeout(timer) })
  if ('conn' in outcome) return outcome.conn
  if ('err' in outcome && outcome.err instanceof PeerUnreachableError && outcome.err.notThere) throw outcome.err
  let relayed: Connection
  try {
    relayed = await dialRelayed(node, peer, relays, options)
  } catch (err) {
    // the direct attempt may still win; without any path the peer is unreachable
    if ('late' in outcome) return await direct.catch(() => { throw err })
    throw err
  }
  useAsCarrier(relayed)
  upgradeFromRelayed(node, peer, relays, { pending: direct })
  return relayed
}

/**
 * Keeps trying for a direct connection, with back-off, while a relayed one
 * carries the chat: after the ladder fell back to it (`pending` is the direct
 * attempt still under way), and when the direct connection lost its path and
 * the carrier took over again (`{ directLost: true }`: it may live for the
 * relay's whole limit, 30 min by default, and the conversation would stay
 * relayed for all of it; the peer saw the connection die too and climbs back
 * as well).
 */
export function upgradeFromRelayed (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, after: { pending: Promise<unknown> } | { directLost: true }): void {
  const pending = 'pending' in after ? after.pending : Promise.resolve()
  keepUpgrading(node, peer, pending, async () => await dialDirect(node, peer, relays), 'directLost' in after)
}

/**
 * Opens a direct WebRTC connection to a peer through one of the relays (a
 * link's relay hint first). Returns an existing direct connection when there
 * is one. The dialing side needs only a connection to the relay, not its own
 * reservation, so this does not wait for ours.
 */
export async function dialDirect (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, options: DialOptions = {}): Promise<Connection> {
  const existing = node.getConnections(peer).find(isDirect)
  if (existing != null) return existing
  mark(MARKS.dialStart)
  const force = mustForce(node, peer)
  let lastError: unknown
  const notThere = new Set<string>()
  for (let attempt = 0; attempt < DIAL_ATTEMPTS; attempt++) {
    for (const relay of relays) {
      options.signal?.throwIfAborted()
      if (notThere.has(relay.toString())) continue
      try {
        const signal = dialSignal(options)
        const conn = await node.dial(webrtcAddress(relay, peer), { signal, force, onProgress: stepMarker() })
        if (await untilDirect(conn, signal)) {
          // the TURN indicator's path, where the browser cannot tell it at once, is read by the
          // messenger as the connection comes up (both sides), not here too
          mark(MARKS.dialDirect)
          return conn
        }
        lastError = new Error('the connection is not direct')
      } catch (err) {
        lastError = err
        if (isNoReservation(err)) notThere.add(relay.toString())
      }
    }
  }
  throw new PeerUnreachableError(
    `Cannot reach ${peer.toString()}: ${(lastError as Error | undefined)?.message ?? 'no relay to go through'}`,
    relays.length > 0 && notThere.size === new Set(relays.map(String)).size
  )
}

/**
 * A connection to the peer through a relay: the one signaling already opened
 * when there is one (libp2p's dial would not reuse a limited connection), else
 * a new circuit through each relay in turn.
 */
export async function dialRelayed (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, options: DialOptions = {}): Promise<Connection> {
  const existing = node.getConnections(peer).find(isRelayed)
  if (existing != null) return existing
  const force = mustForce(node, peer)
  let lastError: unknown
  for (const relay of relays) {
    options.signal?.throwIfAborted()
    try {
      const conn = await node.dial(circuitAddress(relay, peer), { signal: dialSignal(options), force })
      if (isRelayed(conn) || isDirect(conn)) return conn
      lastError = new Error('the connection is neither relayed nor direct')
    } catch (err) {
      lastError = err
    }
  }
  throw new PeerUnreachableError(`Cannot reach ${peer.toString()} through a relay: ${(lastError as Error | undefined)?.message ?? 'no relay to go through'}`)
}

function dialSignal (options: DialOptions): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(DIAL_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
}
