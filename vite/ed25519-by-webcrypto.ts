import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// @noble/curves' Edwards code (the curve, its point tables, SHA-512) came
// into the first page twice over: @libp2p/crypto imports it for Ed25519
// keys, though it signs and verifies with WebCrypto wherever WebCrypto has
// Ed25519, and Noise imports X25519 from the same module, whose public keys
// are made on the Edwards curve. The browser build swaps both imports:
// @libp2p/crypto's Ed25519 module for one that uses WebCrypto and loads
// @noble/ed25519 only in a browser without it (vite/browser/ed25519.ts), and
// Noise's X25519 for the Montgomery ladder alone (vite/browser/x25519.ts).
// About 11 KB gzip of the first page (docs/performance.md). A fallback that
// imported @noble/curves' own Ed25519 lazily would not do: a module shared
// with the page's code goes into the page's chunk whole. The relay runs
// under Node without this plugin.

const ED25519_MODULE = fileURLToPath(new URL('./browser/ed25519.ts', import.meta.url))
const X25519_MODULE = fileURLToPath(new URL('./browser/x25519.ts', import.meta.url))

export function ed25519ByWebCrypto (): Plugin[] {
  return [
    swapImport({
      name: 'peerlink-ed25519-by-webcrypto',
      // the key classes and their makers, each importing './index.js' (the library's Ed25519 operations)
      importer: /[\\/]@libp2p[\\/]crypto[\\/]dist[\\/]src[\\/]keys[\\/]ed25519[\\/](ed25519|utils)\.js$/,
      sources: new Set(['./index.js']),
      file: ED25519_MODULE
    }),
    swapImport({
      name: 'peerlink-ed25519-lengths',
      // the key module, which reads the key lengths from the same module
      importer: /[\\/]@libp2p[\\/]crypto[\\/]dist[\\/]src[\\/]keys[\\/]index\.js$/,
      sources: new Set(['./ed25519/index.js']),
      file: ED25519_MODULE
    }),
    swapImport({
      name: 'peerlink-x25519-ladder',
      importer: /[\\/]@libp2p[\\/]noise[\\/]dist[\\/]src[\\/]crypto[\\/]js\.js$/,
      sources: new Set(['@noble/curves/ed25519.js']),
      file: X25519_MODULE
    })
  ]
}
