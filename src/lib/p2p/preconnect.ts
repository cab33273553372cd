/**
 * The page's relay connection starts with a WebSocket, and its handshake (on
 * a real network TCP, TLS and the HTTP upgrade: up to three round trips to
 * the relay) needs nothing from libp2p. Opened when the session starts, it is
 * under way while the libp2p code loads and the identity is read; the
 * WebSocket transport then takes it instead of opening its own
 * (`takeSocket`, patches/@libp2p+websockets). Nothing is sent on it before:
 * the relay waits for the dialer to speak first.
 *
 * No libp2p imports here: this module is part of the first page's code.
 */

/**
 * The relay drops a connection whose libp2p upgrade has not finished 10 s
 * after it was accepted (libp2p's inboundUpgradeTimeout); a socket is handed
 * over only well inside that, and closed once older.
 */
export const PRECONNECT_MAX_AGE_MS = 5_000

interface Early {
  url: string
  socket: WebSocket
  timer: ReturnType<typeof setTimeout>
}

let early: Early | undefined

function normalized (url: string): string {
  try {
    return new URL(url).href
  } catch {
    return url
  }
}

/** The WebSocket address of the relay that served this page: the first relay the node dials (relays.ts). */
export function originRelaySocketUrl (location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}

/** Starts the WebSocket handshake to `url` now, for the node's first dial to take. */
export function preconnect (url: string): void {
  if (early != null || typeof WebSocket !== 'function') return
  let socket: WebSocket
  try {
    socket = new WebSocket(url)
  } catch {
    // a URL the browser refuses: the node's own dial reports the problem
    return
  }
  socket.binaryType = 'arraybuffer'
  early = { url: normalized(url), socket, timer: setTimeout(dropPreconnected, PRECONNECT_MAX_AGE_MS) }
}

/** Closes a socket nobody took: the tab will not run the node, or took too long. */
export function dropPreconnected (): void {
  if (early == null) return
  clearTimeout(early.timer)
  early.socket.close()
  early = undefined
}

/** The socket opened ahead to `url`, once, if it is still connecting or open. */
export function takePreconnected (url: string): WebSocket | undefined {
  if (early == null || early.url !== normalized(url)) return undefined
  const { socket, timer } = early
  clearTimeout(timer)
  early = undefined
  if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) return socket
  socket.close()
  return undefined
}
