import type { ComponentLogger } from '@libp2p/interface'

/** The key libp2p's logger reads its namespaces from, as the debug module does. */
const DEBUG_KEY = 'debug'

/**
 * libp2p's own logger, for a page where localStorage.debug names what to log
 * (for example 'libp2p:webrtc*'), and nothing otherwise: then the node keeps
 * the silent logger the browser build gives libp2p (vite/logger-on-demand.ts),
 * and the logging code is never fetched. Read once, when the node is made, as
 * the library reads it once when it loads.
 */
export async function debugLogger (): Promise<ComponentLogger | undefined> {
  let namespaces: string | null = null
  try {
    namespaces = globalThis.localStorage?.getItem(DEBUG_KEY) ?? null
  } catch {
    // storage blocked (a sandboxed frame, strict privacy settings): no logs
  }
  if (namespaces == null || namespaces === '') return undefined
  try {
    const { defaultLogger } = await import('@libp2p/logger')
    return defaultLogger()
  } catch {
    // its chunk cannot be loaded (offline before the cache held it, or a
    // build replaced since this page loaded): logs are a debugging aid, and
    // the node starts without them rather than not at all
    return undefined
  }
}
