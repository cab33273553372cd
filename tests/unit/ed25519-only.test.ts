import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ed25519Only } from '../../vite/ed25519-only.ts'
import { buildForBrowser, type BrowserBuild } from './browser-build.ts'

// The plugin is judged on a real build of @libp2p/crypto and @libp2p/peer-id
// for the browser, as the app's build uses them, then run here.
let built: BrowserBuild<typeof import('./fixtures/key-types-probe.ts')>
let code: string
let probe: typeof import('./fixtures/key-types-probe.ts')

beforeAll(async () => {
  built = await buildForBrowser('key-types-probe.ts', [ed25519Only()])
  code = built.code
  probe = built.module
}, 60_000)

afterAll(async () => {
  await built?.remove()
})

describe('the browser build carries Ed25519 keys only', () => {
  it('should still sign, parse and verify with Ed25519 keys', async () => {
    expect(await probe.signAndVerifyEd25519()).toBe(true)
  })

  it('should refuse other key types with the error @libp2p/crypto gives an unknown type', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
    // peer-id reads a key it cannot decode as a URL peer ID, and that fails too
    expect(() => probe.parsePeerId(secp)).toThrow()
    for (const type of ['RSA', 'secp256k1', 'ECDSA'] as const) {
      await expect(probe.generate(type)).rejects.toMatchObject({ name: 'UnsupportedKeyTypeError' })
    }
  })

  it('should leave the other key types\' code out of the build', () => {
    // secp256k1's field prime and the RSA key parser's name: present in a build without the plugin
    expect(code).not.toMatch(/0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f/i)
    expect(code).not.toContain('pkcs1MessageToJwk')
  })
})
