/**
 * The shape of the relay's `/relay.json`: the one contract the relay and the
 * browser share. It lives here so that `relay/` imports nothing else from `src/`.
 */

/** An ICE server as RTCPeerConnection takes it. */
export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

export interface RelayInfo {
  /** the relay's peer ID, so a browser can build a relay address from the page's own origin */
  peerId: string
  /** the relay's announced multiaddrs, each ending in /p2p/<peerId> */
  multiaddrs: string[]
  /** the STUN/TURN servers browsers should use; empty means host candidates only */
  iceServers: IceServer[]
  /**
   * addresses of the other relays this one shares a DHT with: a browser may
   * dial these (to look a peer up, or to reach a peer through its relay) even
   * where it refuses other private or plain-ws addresses
   */
  relays: string[]
}

/** A relay.json larger than this is not a relay description but a mistake or an attack. */
export const MAX_RELAY_ADDRS = 32
export const MAX_ICE_SERVERS = 16

export class InvalidRelayInfoError extends Error {
  override name = 'InvalidRelayInfoError'
}

function isStringArray (value: unknown, max: number): value is string[] {
  return Array.isArray(value) && value.length <= max && value.every(v => typeof v === 'string')
}

/**
 * An ICE server url as RTCPeerConnection takes it: a host, an optional port,
 * and for TURN at most `?transport=udp|tcp`. Chromium throws on anything else
 * ("turn://host", "stun:", a query on a STUN url) as each connection is made,
 * so one such url would fail every WebRTC dial of every browser.
 */
const ICE_URL = /^(?:stuns?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?|turns?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?)$/

export function isIceUrl (url: string): boolean {
  return ICE_URL.test(url)
}

function parseIceServer (value: unknown): IceServer {
  if (typeof value !== 'object' || value == null) {
    throw new InvalidRelayInfoError('an ICE server must be an object')
  }
  const { urls, username, credential } = value as Record<string, unknown>
  const list = typeof urls === 'string' ? [urls] : urls
  if (!isStringArray(list, MAX_ICE_SERVERS) || list.length === 0) {
    throw new InvalidRelayInfoError('an ICE server needs one or more urls')
  }
  const bad = list.find(url => !isIceUrl(url))
  if (bad != null) {
    throw new InvalidRelayInfoError(`'${bad.slice(0, 100)}' is not an ICE server url: stun:host[:port], or turn:host[:port][?transport=udp|tcp] (also stuns:, turns:)`)
  }
  if ((username != null && typeof username !== 'string') || (credential != null && typeof credential !== 'string')) {
    throw new InvalidRelayInfoError('ICE server username and credential must be strings')
  }
  // a browser refuses the whole configuration otherwise
  if (list.some(url => url.startsWith('turn')) && (username == null || credential == null)) {
    throw new InvalidRelayInfoError('a TURN server needs a username and a credential')
  }
  return {
    urls: list,
    ...(username != null ? { username } : {}),
    ...(credential != null ? { credential } : {})
  }
}

/** Checks an untrusted relay.json body and returns it typed, or throws InvalidRelayInfoError. */
export function parseRelayInfo (json: unknown): RelayInfo {
  if (typeof json !== 'object' || json == null) {
    throw new InvalidRelayInfoError('relay.json must be an object')
  }
  const { peerId, multiaddrs, iceServers, relays } = json as Record<string, unknown>
  if (typeof peerId !== 'string' || peerId.length === 0) {
    throw new InvalidRelayInfoError('relay.json has no peerId')
  }
  if (!isStringArray(multiaddrs, MAX_RELAY_ADDRS)) {
    throw new InvalidRelayInfoError('relay.json multiaddrs must be a list of strings')
  }
  if (!Array.isArray(iceServers) || iceServers.length > MAX_ICE_SERVERS) {
    throw new InvalidRelayInfoError('relay.json iceServers must be a list')
  }
  // relays before federation did not list other relays
  const others = relays ?? []
  if (!isStringArray(others, MAX_RELAY_ADDRS)) {
    throw new InvalidRelayInfoError('relay.json relays must be a list of strings')
  }
  return { peerId, multiaddrs, iceServers: iceServers.map(parseIceServer), relays: others }
}
