import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// Every Peerlink identity, the browsers' and the relays' alike, is an Ed25519
// key (src/lib/p2p/identity.ts, relay/keys.ts), yet @libp2p/crypto's key
// module imports the RSA, secp256k1 and ECDSA code unconditionally: about 30 KB
// of the first page's JavaScript (9 KB gzip, most of it @noble/curves'
// Weierstrass arithmetic) that no browser of ours runs. The browser build
// swaps those imports, and only those of the key module, for one module whose
// functions refuse the key type with the same error @libp2p/crypto throws for a
// type it does not know, so a peer with another key type is refused cleanly.
// The relay runs under Node without this plugin and keeps every key type.

const KEY_MODULE = /[\\/]@libp2p[\\/]crypto[\\/]dist[\\/]src[\\/]keys[\\/]index\.js$/
export const OTHER_KEY_TYPES = new Set([
  './ecdsa/ecdsa.js',
  './ecdsa/index.js',
  './ecdsa/utils.js',
  './rsa/der.js',
  './rsa/index.js',
  './rsa/utils.js',
  './secp256k1/index.js',
  './secp256k1/utils.js'
])

const refuse = (name: string): string =>
  `export function ${name} () { throw new UnsupportedKeyTypeError(MESSAGE) }`

// the names the key module imports from the modules above
const REFUSING_FUNCTIONS = [
  'generateECDSAKeyPair', 'pkiMessageToECDSAPrivateKey', 'pkiMessageToECDSAPublicKey',
  'unmarshalECDSAPrivateKey', 'unmarshalECDSAPublicKey',
  'decodeDer',
  'pkcs1ToRSAPrivateKey', 'pkixToRSAPublicKey', 'generateRSAKeyPair',
  'pkcs1MessageToRSAPrivateKey', 'pkixMessageToRSAPublicKey', 'jwkToRSAPrivateKey',
  'generateSecp256k1KeyPair', 'unmarshalSecp256k1PrivateKey', 'unmarshalSecp256k1PublicKey'
]

export const REFUSED_KEY_TYPES_CODE = [
  "import { UnsupportedKeyTypeError } from '@libp2p/interface'",
  "const MESSAGE = 'Peerlink peers use Ed25519 keys; RSA, secp256k1 and ECDSA keys are not supported'",
  ...REFUSING_FUNCTIONS.map(refuse),
  // never made, so an instanceof test against it is simply false
  'export class ECDSAPrivateKey {}',
  // kept as they are: the key module compares against them to tell a key's type
  "export const ECDSA_P_256_OID = '1.2.840.10045.3.1.7'",
  "export const ECDSA_P_384_OID = '1.3.132.0.34'",
  "export const ECDSA_P_521_OID = '1.3.132.0.35'",
  "export const RSAES_PKCS1_V1_5_OID = '1.2.840.113549.1.1.1'",
  'export const privateKeyLength = 32',
  'export const publicKeyLength = 33'
].join('\n')

export function ed25519Only (): Plugin {
  return swapImport({
    name: 'peerlink-ed25519-only',
    importer: KEY_MODULE,
    sources: OTHER_KEY_TYPES,
    code: REFUSED_KEY_TYPES_CODE
  })
}
