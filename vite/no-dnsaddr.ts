import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p resolves a /dnsaddr address by asking DNS over HTTPS, in a browser
// through @multiformats/dns and its public resolvers (Cloudflare, Google). A
// Peerlink page can never reach them: its Content-Security-Policy lets it
// connect to its own origin and to WebSockets only (svelte.config.js), and it
// must not tell a third party which relays it uses. Relays reach browsers as
// /ip4, /ip6, /dns4 or /dns6 WebSocket addresses, whose names the browser's
// own WebSocket resolves. So the resolver is dead code in the page, and with
// @multiformats/dns, p-queue and eventemitter3 it is 14 KB of the first page's
// JavaScript (5 KB gzip). The browser build answers libp2p's import of it with
// a resolver that takes nothing: a /dnsaddr address is then left as it is, and
// no transport dials it, as in a libp2p configured without resolvers. The
// relay runs under Node without this plugin and keeps /dnsaddr.

const RESOLVERS_MODULE = /[\\/]libp2p[\\/]dist[\\/]src[\\/]connection-manager[\\/]resolvers[\\/]index\.js$/
const DNSADDR_MODULE = './dnsaddr.js'

export const NO_DNSADDR_CODE = [
  'export const dnsaddrResolver = {',
  '  canResolve: () => false,',
  '  resolve: async (address) => [address]',
  '}'
].join('\n')

export function noDnsaddr (): Plugin {
  return swapImport({
    name: 'peerlink-no-dnsaddr',
    importer: RESOLVERS_MODULE,
    sources: new Set([DNSADDR_MODULE]),
    code: NO_DNSADDR_CODE
  })
}
