import { LINK_PATH_PREFIX } from '../shared/link-path.ts'
import { loadP2p } from './p2p-loader.ts'

/**
 * The in-app path a pasted share link opens; rejects with InvalidLinkError for
 * anything else. Async because parsing a peer ID needs the libp2p code, which
 * is loaded after the first page (see loadP2p).
 */
export async function linkTarget (link: string, origin: string): Promise<string> {
  const { findShareLink, parseShareLink } = await loadP2p()
  const { peerId, relay } = parseShareLink(findShareLink(link), origin)
  const query = relay != null ? `?relay=${encodeURIComponent(relay)}` : ''
  return `${LINK_PATH_PREFIX}${peerId.toString()}${query}`
}
