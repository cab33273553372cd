import { decodedPath, LINK_PATH_PREFIX } from './lib/shared/link-path.ts'
import type { Reroute } from '@sveltejs/kit'

/**
 * A share link whose path does not decode goes to the conversation page
 * with a peer ID no peer has, so that page says the link is damaged, as it
 * does for any other bad peer ID; any other such path goes to a page that
 * does not exist, whose error page says so. Left alone, SvelteKit's router
 * throws on it as the app starts, and the tab stays blank.
 */
export const reroute: Reroute = ({ url }) => {
  if (decodedPath(url.pathname) != null) return undefined
  return url.pathname.startsWith(LINK_PATH_PREFIX) ? `${LINK_PATH_PREFIX}%25` : '/%25'
}
