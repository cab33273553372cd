import type { Connection } from '@libp2p/interface'

/** ICE candidate types (RFC 8445): 'relay' is an address on a TURN server. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

/** The selected ICE candidate pair of a WebRTC connection, as seen from our end. */
export interface IcePath {
  local: CandidateType
  remote: CandidateType
  /** 'udp' or 'tcp' between us and the first hop (the TURN server, for a relay candidate) */
  protocol: string
  /** ip:port we send to: the peer's NAT, TURN allocation or host address */
  remoteAddress: string
}

/**
 * The RTCPeerConnection behind a libp2p connection the WebRTC transport made.
 * @libp2p/webrtc 6.0.33 keeps it as `peerConnection` on the MultiaddrConnection
 * that libp2p's Connection holds as `maConn`; neither is public API, so this
 * checks the shape and answers undefined rather than throwing when it moves.
 */
export function peerConnectionOf (conn: Connection): RTCPeerConnection | undefined {
  const pc = (conn as unknown as { maConn?: { peerConnection?: unknown } }).maConn?.peerConnection
  return pc != null && typeof (pc as RTCPeerConnection).getStats === 'function' ? pc as RTCPeerConnection : undefined
}

/** The selected candidate pair from getStats(), or undefined before ICE picked one. */
export async function icePath (conn: Connection): Promise<IcePath | undefined> {
  const pc = peerConnectionOf(conn)
  if (pc == null) return undefined
  const stats = await pc.getStats()
  const byId = new Map<string, Record<string, unknown>>()
  stats.forEach((report: Record<string, unknown>) => { byId.set(report.id as string, report) })
  const pair = selectedPair(byId)
  if (pair == null) return undefined
  const local = byId.get(pair.localCandidateId as string)
  const remote = byId.get(pair.remoteCandidateId as string)
  if (local == null || remote == null) return undefined
  return {
    local: local.candidateType as CandidateType,
    remote: remote.candidateType as CandidateType,
    protocol: String(local.relayProtocol ?? local.protocol ?? ''),
    remoteAddress: `${String(remote.address ?? remote.ip ?? '')}:${String(remote.port ?? '')}`
  }
}

/**
 * The transport report names the selected pair (Chromium, Safari); where it
 * does not, the nominated succeeded pair is the one in use (Firefox).
 */
function selectedPair (byId: Map<string, Record<string, unknown>>): Record<string, unknown> | undefined {
  for (const report of byId.values()) {
    if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string') {
      const pair = byId.get(report.selectedCandidatePairId)
      if (pair != null) return pair
    }
  }
  for (const report of byId.values()) {
    if (report.type === 'candidate-pair' && report.nominated === true && report.state === 'succeeded') return report
  }
  return undefined
}

/**
 * Whether the connection runs through a TURN server: the selected pair has a
 * relay candidate on either end. Synchronous, so the indicator can use it in
 * the same tick as a connection event: RTCIceTransport.getSelectedCandidatePair()
 * where the browser has it, else the last getStats() answer `rememberPath` kept.
 */
export function viaTurn (conn: Connection): boolean {
  const pair = selectedTransportPair(conn)
  if (pair != null) return pair.local === 'relay' || pair.remote === 'relay'
  const known = remembered.get(conn)
  return known != null && (known.local === 'relay' || known.remote === 'relay')
}

const remembered = new WeakMap<Connection, IcePath>()

/** Reads the path with getStats() and keeps it for viaTurn() in browsers without getSelectedCandidatePair(). */
async function rememberPath (conn: Connection): Promise<IcePath | undefined> {
  const path = await icePath(conn).catch(() => undefined)
  if (path != null) remembered.set(conn, path)
  return path
}

/**
 * rememberPath, where the browser cannot tell viaTurn() the path at once
 * (Chromium can: no getStats() for it there). True if a path was kept.
 */
export async function rememberPathIfNeeded (conn: Connection): Promise<boolean> {
  if (selectedTransportPair(conn) != null) return false
  return (await rememberPath(conn)) != null
}

interface SelectedPair { local: string | null, remote: string | null }

function selectedTransportPair (conn: Connection): SelectedPair | undefined {
  const ice = peerConnectionOf(conn)?.sctp?.transport?.iceTransport as
    (RTCIceTransport & { getSelectedCandidatePair?: () => { local?: RTCIceCandidate, remote?: RTCIceCandidate } | null }) | undefined
  const pair = ice?.getSelectedCandidatePair?.()
  if (pair?.local == null || pair.remote == null) return undefined
  return { local: pair.local.type, remote: pair.remote.type }
}
