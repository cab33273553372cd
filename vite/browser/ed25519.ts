/**
 * @libp2p/crypto's Ed25519 signing and verifying for the browser build, in
 * place of the library's module for them. Both go through WebCrypto, as the
 * library's already do wherever WebCrypto has Ed25519, but without its static
 * import of @noble/curves' Edwards code for the rest. A browser whose
 * WebCrypto lacks Ed25519 loads @noble/ed25519 on first use instead: small,
 * and its async calls hash with WebCrypto's SHA-512. Key generation is
 * refused, as the library's is synchronous: the app makes its identity itself
 * (src/lib/p2p/identity.ts), and hands libp2p that key. Swapped in by
 * vite/ed25519-by-webcrypto.ts.
 */
import type { Uint8ArrayList } from 'uint8arraylist'
import { toString } from 'uint8arrays/to-string'
import { withArrayBuffer } from 'uint8arrays/with-array-buffer'

export const publicKeyLength = 32
/** libp2p's raw private key: the 32-byte seed, then the public key */
export const privateKeyLength = 64
const SEED_BYTES = 32
const ALGORITHM = { name: 'Ed25519' }

/** set once WebCrypto has said it does not know Ed25519; it is not asked again */
let webCryptoLacksEd25519 = false

/** `operation` by WebCrypto, unless this browser's has no Ed25519: then by `fallback`. */
async function withWebCrypto<T> (operation: () => Promise<T>, fallback: (ed: typeof import('@noble/ed25519')) => Promise<T>): Promise<T> {
  if (!webCryptoLacksEd25519) {
    try {
      return await operation()
    } catch (err) {
      // an algorithm WebCrypto does not know; any other error (a bad key) is the caller's
      if ((err as Error).name !== 'NotSupportedError') throw err
      webCryptoLacksEd25519 = true
    }
  }
  return await fallback(await import('@noble/ed25519'))
}

function bytesOf (message: Uint8Array | Uint8ArrayList): Uint8Array {
  return message instanceof Uint8Array ? message : message.subarray()
}

export async function hashAndSign (privateKey: Uint8Array, message: Uint8Array | Uint8ArrayList): Promise<Uint8Array> {
  const seed = privateKey.subarray(0, SEED_BYTES)
  const data = bytesOf(message)
  return await withWebCrypto(async () => {
    // JWK is the one format WebCrypto imports an Ed25519 private key from raw halves in
    const jwk: JsonWebKey = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: toString(privateKey.subarray(SEED_BYTES), 'base64url'),
      d: toString(seed, 'base64url'),
      ext: false,
      key_ops: ['sign']
    }
    const key = await crypto.subtle.importKey('jwk', jwk, ALGORITHM, false, ['sign'])
    return new Uint8Array(await crypto.subtle.sign(ALGORITHM, key, withArrayBuffer(data)))
  }, async ed => await ed.signAsync(data, seed))
}

export async function hashAndVerify (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array | Uint8ArrayList): Promise<boolean> {
  const data = bytesOf(message)
  return await withWebCrypto(async () => {
    const key = await crypto.subtle.importKey('raw', withArrayBuffer(publicKey), ALGORITHM, false, ['verify'])
    return await crypto.subtle.verify(ALGORITHM, key, withArrayBuffer(signature), withArrayBuffer(data))
  }, async ed => await ed.verifyAsync(signature, data, publicKey))
}

const NO_KEY_GENERATION = 'this build makes no Ed25519 keys in @libp2p/crypto: the app makes them (src/lib/p2p/identity.ts)'

export function generateKey (): never {
  throw new Error(NO_KEY_GENERATION)
}

export function generateKeyFromSeed (): never {
  throw new Error(NO_KEY_GENERATION)
}
