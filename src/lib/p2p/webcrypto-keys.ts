/**
 * Key pairs made by the browser's own crypto, natively and off the page's
 * main thread, exported as raw bytes for the libraries that use them. No
 * imports: the first page's code uses this.
 */

/** PKCS #8 of an X25519 or Ed25519 private key (RFC 8410): a fixed 16-byte header, then the 32-byte key. */
const PKCS8_BYTES = 48
const RAW_KEY_BYTES = 32

export interface RawKeyPair {
  publicKey: Uint8Array
  /** the 32-byte private key (the seed, for Ed25519) */
  privateKey: Uint8Array
}

/** The 32 raw private key bytes at the end of an RFC 8410 PKCS #8 export. */
export function rawFromPkcs8 (pkcs8: ArrayBuffer): Uint8Array {
  if (pkcs8.byteLength !== PKCS8_BYTES) throw new Error(`unexpected PKCS #8 length ${pkcs8.byteLength}`)
  return new Uint8Array(pkcs8.slice(PKCS8_BYTES - RAW_KEY_BYTES))
}

/** A new key pair; rejects where this browser's WebCrypto lacks the algorithm or exports another layout. */
export async function webCryptoKeyPair (algorithm: 'X25519' | 'Ed25519'): Promise<RawKeyPair> {
  const usages: KeyUsage[] = algorithm === 'X25519' ? ['deriveBits'] : ['sign', 'verify']
  const pair = await crypto.subtle.generateKey({ name: algorithm }, true, usages) as CryptoKeyPair
  const [publicKey, pkcs8] = await Promise.all([
    crypto.subtle.exportKey('raw', pair.publicKey),
    crypto.subtle.exportKey('pkcs8', pair.privateKey)
  ])
  return { publicKey: new Uint8Array(publicKey), privateKey: rawFromPkcs8(pkcs8) }
}
