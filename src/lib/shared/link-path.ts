/** Share links look like `<origin>/p/<peerId>`, optionally with `?relay=<multiaddr>`. */
export const LINK_PATH_PREFIX = '/p/'

/**
 * A URL path decoded the way SvelteKit's router decodes it (each piece
 * between `%25` through decodeURI), or undefined where that throws: a path
 * cut in the middle of an escape (`/p/12D3…%E`, or a byte a messenger app
 * mangled), which the router would throw on before any page of the app
 * could say what is wrong.
 */
export function decodedPath (pathname: string): string | undefined {
  try {
    return pathname.split('%25').map(decodeURI).join('%25')
  } catch {
    return undefined
  }
}
