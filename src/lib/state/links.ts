import { LINK_PATH_PREFIX, parseShareLink } from '../p2p/links.ts'

export { InvalidLinkError, parsePeerId, parseRelayHint } from '../p2p/links.ts'

/** The in-app path a pasted share link opens; throws InvalidLinkError for anything else. */
export function linkTarget (link: string, origin: string): string {
  const { peerId, relay } = parseShareLink(link, origin)
  const query = relay != null ? `?relay=${encodeURIComponent(relay)}` : ''
  return `${LINK_PATH_PREFIX}${peerId.toString()}${query}`
}
