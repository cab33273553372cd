/**
 * X25519 for Noise in the browser build, in place of the one @noble/curves
 * exports from its ed25519 module. That one makes a public key on the
 * Edwards curve (fast once a table of points is built), which ties noble's
 * whole Edwards code to every handshake. This one is the RFC 7748 ladder
 * alone, from the same library's Montgomery module. A handshake's shared
 * secrets take the ladder either way; its keys come from WebCrypto
 * (src/lib/p2p/handshake-keys.ts). Swapped in by vite/ed25519-by-webcrypto.ts.
 */
import { montgomery } from '@noble/curves/abstract/montgomery.js'
import { pow } from '@noble/curves/abstract/modular.js'

/** the field's prime, 2^255 - 19 (RFC 7748, 4.1) */
const P = 2n ** 255n - 19n

export const x25519 = montgomery({
  P,
  type: 'x25519',
  // the inverse the ladder ends with, by Fermat's little theorem; a fixed
  // exponent, so the steps taken do not depend on the secret
  powPminus2: (x: bigint) => pow(x, P - 2n, P),
  // RFC 7748, 5: clear the three lowest bits and the highest, set the second highest
  adjustScalarBytes: (bytes: Uint8Array) => {
    bytes[0] &= 248
    bytes[31] &= 127
    bytes[31] |= 64
    return bytes
  }
})
