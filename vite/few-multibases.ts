import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// uint8arrays (toString and fromString, which libp2p calls everywhere) looks
// an encoding up by name in multiformats' `basics`, which carries every
// multibase there is. Peerlink's page uses base58btc (peer IDs), base32 and
// base36 (CIDs), base64 and base16 (hex), base2 (the DHT's routing table files
// peers by their IDs' bits) and base10 (a multiaddr's /ipcidr part); nothing
// in it reads or writes octal multibase strings, or base256emoji, whose
// alphabet of 256 emoji hardly compresses (1.1 KB of the first page's gzip).
// The browser build gives `basics` an empty module for those two, so they are
// not in its table: uint8arrays then throws its own "Unsupported encoding" for
// them, as for any name it does not know. (The names the page's libraries ask
// for can be found in the build: grep its chunks for `base8`.) The relay and
// the unit tests run under Node with the whole table.

const BASICS_MODULE = /[\\/]multiformats[\\/]dist[\\/]src[\\/]basics\.js$/
const UNUSED_BASES = new Set(['./bases/base8.js', './bases/base256emoji.js'])

export function fewMultibases (): Plugin {
  return swapImport({
    name: 'peerlink-few-multibases',
    importer: BASICS_MODULE,
    sources: UNUSED_BASES,
    code: 'export {}'
  })
}
