import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p's reconnect queue, the one module of the page that imports p-retry,
// redials a kept-alive peer (for the browser: its relay) that has gone, and
// the node lets it try once (reconnectRetries: 0), because the RelayKeeper
// owns reconnecting with its own back-off. p-retry with is-network-error is
// 4 KB of the first page's JavaScript (1.5 KB gzip), mostly option checks,
// callbacks and error classification that this caller never asks for. The
// browser build gives the reconnect queue a plain retry loop with the same
// contract for the options it passes (retries, factor, minTimeout, signal),
// with p-retry's defaults for those it leaves out. The relay runs under Node
// without this plugin and keeps p-retry.

const RECONNECT_QUEUE = /[\\/]libp2p[\\/]dist[\\/]src[\\/]connection-manager[\\/]reconnect-queue\.js$/

export const PLAIN_RETRY_CODE = `
export default async function pRetry (attempt, { retries = 10, factor = 2, minTimeout = 1000, signal } = {}) {
  for (let n = 1; ; n++) {
    signal?.throwIfAborted()
    try {
      return await attempt(n)
    } catch (err) {
      if (n > retries) throw err
    }
    await new Promise((resolve, reject) => {
      const stop = () => { clearTimeout(timer); reject(signal.reason) }
      const timer = setTimeout(() => { signal?.removeEventListener('abort', stop); resolve() }, minTimeout * factor ** (n - 1))
      signal?.addEventListener('abort', stop, { once: true })
    })
  }
}
`

export function plainRetry (): Plugin {
  return swapImport({
    name: 'peerlink-plain-retry',
    importer: RECONNECT_QUEUE,
    sources: new Set(['p-retry']),
    code: PLAIN_RETRY_CODE
  })
}
