import { newestFirst } from './chat/index.ts'
import { peerConnectionOf, viaTurn } from './ice-path.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection, PeerId } from '@libp2p/interface'

/** The rungs of the connectivity ladder as the user sees them. */
export type LinkState = 'direct' | 'turn' | 'relayed' | 'connecting' | 'offline'

/**
 * A direct browser connection is an open one the WebRTC transport made (see
 * isWebRTC). "Direct" here means browser to browser at the libp2p level; it
 * may still run through TURN. The libp2p connection stays open while ICE is
 * disconnected or still checking, so the peer connection itself must say it
 * is connected.
 */
export function isDirect (conn: Connection): boolean {
  if (!isWebRTC(conn)) return false
  const state = peerConnectionOf(conn)?.connectionState
  return state == null || state === 'connected'
}

/**
 * A connection the WebRTC transport made, open or not: it carries no relay
 * limits, and WebRTC's own multiplexing. On the dialing side its remoteAddr
 * still contains /p2p-circuit/webrtc, so the address is not the test.
 */
export function madeByWebRTC (conn: Connection): boolean {
  return conn.limits == null && conn.multiplexer === '/webrtc'
}

/** An open connection the WebRTC transport made, whatever its ICE path says right now. */
export function isWebRTC (conn: Connection): boolean {
  return conn.status === 'open' && madeByWebRTC(conn)
}

/**
 * A WebRTC connection whose ICE path is down. @libp2p/webrtc closes a
 * connection only once ICE says failed (Chromium takes up to 30 s), and until
 * then libp2p hands it back to any dial of the peer that is not forced: a
 * redial would get the dead connection instead of a new one.
 */
export function isStalled (conn: Connection): boolean {
  return isWebRTC(conn) && peerConnectionOf(conn)?.connectionState === 'disconnected'
}

/**
 * Calls `onChange` whenever the path of a WebRTC connection changes state
 * (connected, disconnected, back), so whatever depends on isDirect is asked
 * again. Returns the function that stops listening.
 */
export function onPathChange (conn: Connection, onChange: () => void): () => void {
  const pc = peerConnectionOf(conn)
  if (pc == null) return () => {}
  pc.addEventListener('connectionstatechange', onChange)
  return () => { pc.removeEventListener('connectionstatechange', onChange) }
}

/**
 * Waits until a WebRTC connection is direct: libp2p can hand one over while
 * its peer connection still says 'connecting' (the answerer closed signaling
 * first) or, found open, while a path dropped for a moment. False when the
 * path fails or closes first, or the signal aborts.
 */
export async function untilDirect (conn: Connection, signal: AbortSignal): Promise<boolean> {
  if (isDirect(conn)) return true
  const pc = peerConnectionOf(conn)
  if (pc == null || !isWebRTC(conn) || signal.aborted) return false
  return await new Promise<boolean>(resolve => {
    const done = (direct: boolean): void => {
      stop()
      signal.removeEventListener('abort', onAbort)
      conn.removeEventListener('close', onClose)
      resolve(direct)
    }
    const onAbort = (): void => { done(false) }
    // closing a peer connection fires no state change: libp2p's close is the only word of it
    const onClose = (): void => { done(false) }
    const stop = onPathChange(conn, () => {
      if (isDirect(conn)) done(true)
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed' || conn.status !== 'open') done(false)
    })
    signal.addEventListener('abort', onAbort)
    conn.addEventListener('close', onClose)
  })
}

/**
 * Whether a connection reaches a server (a relay, over WebSockets) rather
 * than another browser, which this node only ever reaches through a circuit
 * (limited) or over WebRTC.
 */
export function reachesServer (conn: Pick<Connection, 'limits' | 'multiplexer'>): boolean {
  return conn.limits == null && conn.multiplexer !== '/webrtc'
}

export function isRelayed (conn: Connection): boolean {
  return conn.status === 'open' && conn.limits != null
}

/**
 * Relayed connections the ladder chose to carry chat (see connectPeer). Other
 * relayed connections only carry WebRTC signaling, which takes a second, so
 * chat must not start on them nor the indicator call them "Relayed".
 */
const carriers = new WeakSet<Connection>()

/** Marks a relayed connection as the chat carrier for its peer: the last rung of the ladder. */
export function useAsCarrier (conn: Connection): void {
  carriers.add(conn)
}

export function isCarrier (conn: Connection): boolean {
  return isRelayed(conn) && carriers.has(conn)
}

/** The connection chat should use: a direct one when there is one. */
export function bestConnection (node: PeerlinkNode, peer: PeerId): Connection | undefined {
  const open = newestFirst(node.getConnections(peer).filter(c => c.status === 'open'))
  return open.find(isDirect) ?? open.find(c => c.limits == null) ?? open.find(isRelayed)
}

/**
 * The connection chat may use right now, or undefined when there is none: the
 * messenger sends only when this returns one, and dials otherwise. A direct
 * connection first; a relayed one only once the ladder fell back to it.
 */
export function usableConnection (node: PeerlinkNode, peer: PeerId): Connection | undefined {
  const open = newestFirst(node.getConnections(peer))
  return open.find(isDirect) ?? open.find(isCarrier)
}

/** What the "Connection" indicator shows for a peer right now. */
export function linkState (node: PeerlinkNode, peer: PeerId, dialing: boolean): LinkState {
  const conn = usableConnection(node, peer)
  if (conn != null && isDirect(conn)) return viaTurn(conn) ? 'turn' : 'direct'
  if (dialing) return 'connecting'
  if (conn != null) return 'relayed'
  return 'offline'
}

/** Closes every connection to a peer: gracefully, or at once if that fails. */
export async function closeConnectionsTo (node: PeerlinkNode, peer: string, reason: string): Promise<void> {
  const conns = node.getConnections().filter(c => c.remotePeer.toString() === peer)
  await Promise.all(conns.map(async c => { await c.close().catch(() => { c.abort(new Error(reason)) }) }))
}
