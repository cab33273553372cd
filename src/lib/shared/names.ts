/**
 * How a peer is named wherever it shows: the conversation list, the open
 * conversation and its notifications. No imports: the state layer (for the
 * notifications) and the UI use it alike.
 */

/** A peer ID is long; people recognise the end of it. */
export function shortPeer (peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-8)}` : peer
}

/**
 * Characters that show nothing: format characters (zero-width space and
 * joiners, direction marks, the byte order mark), spaces of any width and the
 * Hangul fillers, which fonts draw blank. A name made only of them would
 * leave the list entry and the notification title empty.
 */
const INVISIBLE = /[\p{Cf}\p{Z}\u115F\u1160\u3164\uFFA0]/gu

/** The peer's chosen name, or the end of its ID when it chose none that shows. */
export function displayName (peer: string, name: string | undefined): string {
  return name != null && name.replace(INVISIBLE, '') !== '' ? name : `Peer ${shortPeer(peer)}`
}
