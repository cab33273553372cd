import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { LINK_PATH_PREFIX } from '../shared/link-path.ts'
import type { PeerId } from '@libp2p/interface'

export { LINK_PATH_PREFIX }

/** Longer than any real peer ID string (Ed25519 ones are 52 characters); refuses junk early. */
export const MAX_PEER_ID_LENGTH = 128

/** A relay hint longer than this is not a relay address a person would share. */
export const MAX_RELAY_HINT_LENGTH = 512

/**
 * Punctuation a sentence puts after a link. Never part of a peer ID (base58
 * has none of it), so a link copied with it still opens.
 */
const SENTENCE_END = new Set('.,;:!?)]}\'"')

/**
 * `text` without the punctuation a sentence put after it. A loop, not a
 * regex: /[…]+$/ tries every start in a run of punctuation that something
 * else follows, quadratic in its length, and a link can be as long as a URL
 * (2 MB; the service worker answers any of them): a run of dots in a link's
 * peer ID held the page for minutes.
 */
function withoutSentenceEnd (text: string): string {
  let end = text.length
  while (end > 0 && SENTENCE_END.has(text[end - 1])) end--
  return text.slice(0, end)
}

const DAMAGED_PEER_ID = 'This link is damaged: its peer ID is not valid. Ask for the link again.'

/**
 * Every Peerlink peer has an Ed25519 identity, and the browser build carries
 * no other key type's code (vite/ed25519-only.ts); a libp2p peer ID of another
 * type is someone Peerlink cannot talk to, said as much rather than "damaged".
 */
const NOT_A_PEERLINK_PEER = 'This link is for a libp2p peer that is not a Peerlink user: its peer ID is not an Ed25519 key, and Peerlink can only talk to those.'

export class InvalidLinkError extends Error {
  override name = 'InvalidLinkError'
}

export interface ShareLink {
  peerId: PeerId
  /** a relay multiaddr the peer is reachable through, when it is not our own relay */
  relay?: string
}

/** Formats the link a person shares so that others can reach them. */
export function formatShareLink (origin: string, peerId: PeerId | string, relay?: string): string {
  const url = new URL(`${LINK_PATH_PREFIX}${peerId.toString()}`, origin)
  if (relay != null) {
    url.searchParams.set('relay', relay)
  }
  return url.toString()
}

/** Parses the `<peerId>` part of a link; throws InvalidLinkError with a reason a person can act on. */
export function parsePeerId (text: string): PeerId {
  const trimmed = withoutSentenceEnd(text.trim())
  if (trimmed.length === 0) {
    throw new InvalidLinkError('This link has no peer ID in it.')
  }
  if (trimmed.length > MAX_PEER_ID_LENGTH || !/^[1-9A-HJ-NP-Za-km-z]+$/.test(trimmed)) {
    throw new InvalidLinkError(DAMAGED_PEER_ID)
  }
  let peerId: PeerId
  try {
    peerId = peerIdFromString(trimmed)
  } catch {
    // a secp256k1 one too in the browser, whose build cannot read that key
    throw new InvalidLinkError(DAMAGED_PEER_ID)
  }
  if (peerId.type !== 'Ed25519') {
    throw new InvalidLinkError(NOT_A_PEERLINK_PEER)
  }
  return peerId
}

/** Parses an optional `?relay=` hint; a bad hint is an error rather than silently ignored. */
export function parseRelayHint (value: string | null): string | undefined {
  if (value == null || value === '') {
    return undefined
  }
  if (value.length > MAX_RELAY_HINT_LENGTH) {
    throw new InvalidLinkError('This link is damaged: its relay address is too long.')
  }
  try {
    const ma = multiaddr(value)
    if (ma.getComponents().find(c => c.name === 'p2p') == null) {
      throw new Error('no peer id')
    }
    return ma.toString()
  } catch {
    throw new InvalidLinkError('This link is damaged: its relay address is not valid.')
  }
}

/**
 * The link in pasted text: a share arrives in many apps as one message, the
 * words before it included ("Open this link to chat with me on Peerlink:
 * https://…"). Text with no web address in it is handed back as it is, for
 * parseShareLink to say what is wrong with it.
 */
export function findShareLink (text: string): string {
  const trimmed = text.trim()
  const found = /https?:\/\/\S+/i.exec(trimmed)?.[0]
  return found != null && /\s/.test(trimmed) ? withoutSentenceEnd(found) : trimmed
}

/** Parses a whole share link (a full URL or a path). */
export function parseShareLink (link: string, base = 'http://localhost'): ShareLink {
  let url: URL
  try {
    url = new URL(link, base)
  } catch {
    throw new InvalidLinkError('This is not a link.')
  }
  if (!url.pathname.startsWith(LINK_PATH_PREFIX)) {
    throw new InvalidLinkError('This is not a Peerlink link.')
  }
  let text: string
  try {
    // one trailing slash is still the link (some apps add one; the page opens either way)
    text = decodeURIComponent(url.pathname.slice(LINK_PATH_PREFIX.length).replace(/\/$/, ''))
  } catch {
    // a cut-off percent escape, from a link copied in part
    throw new InvalidLinkError(DAMAGED_PEER_ID)
  }
  const peerId = parsePeerId(text)
  const relay = parseRelayHint(url.searchParams.get('relay'))
  return relay == null ? { peerId } : { peerId, relay }
}
