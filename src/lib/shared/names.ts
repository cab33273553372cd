/**
 * How a peer is named wherever it shows: the conversation list, the open
 * conversation and its notifications. Nothing imported but its like in
 * shared/: the state layer (for the notifications) and the UI use it alike.
 *
 * A peer chooses its own name, so a name proves nothing: anyone can call
 * themselves "Ada", or "Peer …" and the end of someone else's ID. What a peer
 * cannot choose is its ID, which the connection authenticates. So a peer
 * always shows as a name and, after it, the end of its ID, and the mark that
 * begins that end is reserved: a chosen name never shows one.
 */

import { showsNothing } from './invisible.ts'

/** A peer ID is long; people recognise the end of it. */
export const PEER_FRAGMENT_LENGTH = 8

/** What a peer that chose no name (or none that shows) is called, before the end of its ID. */
export const UNNAMED = 'Peer'

/** The end of a peer's ID, as it shows after its name. */
export function shortPeer (peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-PEER_FRAGMENT_LENGTH)}` : peer
}

/**
 * The ellipsis that marks the end of a peer ID, and the characters drawn
 * like it (midline, vertical and Mongolian ellipses, the two-dot leader):
 * left out of chosen names, so that no name reads as another peer's ID, or
 * as the name of a peer that chose none.
 */
const ID_MARKS = /[\u2025\u2026\u22EF\uFE19\u1801]/gu

/**
 * Embeddings, overrides and isolates: the codec takes them out of names
 * already; here too, so that none in a name can end the isolate it is shown
 * in (below) and move the ID.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/gu

/** Runs of spaces, which could push the end of the ID out of sight where the text is not collapsed. */
const SPACES = /\p{Z}{2,}/gu

/** First strong isolate and pop directional isolate: a right-to-left name cannot move what follows it. */
const ISOLATE_START = '\u2068'
const ISOLATE_END = '\u2069'

export interface PeerLabel {
  /** the name the peer chose, cleaned as above, or UNNAMED */
  name: string
  /** the end of its authenticated ID: always shown after the name */
  id: string
  /** whether `name` is the peer's own choice */
  chosen: boolean
}

/** The peer's chosen name, if it chose one that shows, and the end of its ID. */
export function peerLabel (peer: string, name: string | undefined): PeerLabel {
  const chosen = name?.replace(ID_MARKS, '').replace(BIDI_CONTROLS, '').replace(SPACES, ' ').trim() ?? ''
  const shows = !showsNothing(chosen)
  return { name: shows ? chosen : UNNAMED, id: shortPeer(peer), chosen: shows }
}

/**
 * A label as plain text (a notification's title, the page's title):
 * "Ada (…eQAJU5SA)", or "Peer …eQAJU5SA" for a peer that chose no name.
 */
export function labelText (label: PeerLabel): string {
  return label.chosen ? `${ISOLATE_START}${label.name}${ISOLATE_END} (${label.id})` : `${label.name} ${label.id}`
}

/** How a peer is named in plain text: its chosen name and the end of its ID, or the end of its ID alone. */
export function peerText (peer: string, name: string | undefined): string {
  return labelText(peerLabel(peer, name))
}
