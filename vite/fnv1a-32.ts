import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// @libp2p/utils hashes the entries of its Bloom and cuckoo filters (seen
// peers, addresses, relays) with @sindresorhus/fnv1a, always at 32 bits.
// That library serves every size up to 1,024 bits with BigInt arithmetic per
// byte, and its tables of 512- and 1,024-bit primes and offsets are most of
// its 1.7 KB in the first page (0.8 KB gzip). The browser build gives the
// filters' hash module a 32-bit FNV-1a on plain integers instead: the same
// hash (its unit test compares the two on random input), as the BigInt the
// callers expect, and without a BigInt multiplication for every byte. Any
// other size is refused rather than hashed wrongly. The relay runs under
// Node without this plugin and keeps the library.

const FILTER_HASHES = /[\\/]@libp2p[\\/]utils[\\/]dist[\\/]src[\\/]filters[\\/]hashes\.js$/

export const FNV1A_32_CODE = `
const OFFSET_32 = 0x811c9dc5
const PRIME_32 = 0x01000193
const encoder = new TextEncoder()
export default function fnv1a (value, { size = 32 } = {}) {
  if (size !== 32) throw new Error('The browser build hashes FNV-1a at 32 bits only')
  const bytes = typeof value === 'string' ? encoder.encode(value) : value
  let hash = OFFSET_32
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], PRIME_32)
  return BigInt(hash >>> 0)
}
`

export function fnv1a32 (): Plugin {
  return swapImport({
    name: 'peerlink-fnv1a-32',
    importer: FILTER_HASHES,
    sources: new Set(['@sindresorhus/fnv1a']),
    code: FNV1A_32_CODE
  })
}
