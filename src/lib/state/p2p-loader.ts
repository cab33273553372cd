import { MARKS, mark } from '../shared/marks.ts'

export type P2p = typeof import('./p2p-runtime.ts')

let p2pModule: Promise<P2p> | undefined

/**
 * The libp2p side of the app, loaded on first use and only once. It is most
 * of the app's code, so it stays off the first page; the session asks for it
 * as the first thing it does, so it downloads while the store opens and
 * /relay.json is fetched.
 */
export function loadP2p (): Promise<P2p> {
  p2pModule ??= import('./p2p-runtime.ts').then(module => {
    mark(MARKS.p2pLoaded)
    return module
  })
  return p2pModule
}
