import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ed25519Only } from '../../vite/ed25519-only.ts'

// The plugin is judged on a real build of @libp2p/crypto and @libp2p/peer-id
// for the browser, as the app's build uses them, then run here.
let outDir: string
let code: string
let probe: typeof import('./fixtures/key-types-probe.ts')

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'ed25519-only-'))
  await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [ed25519Only()],
    resolve: { conditions: ['browser', 'import', 'default'], mainFields: ['browser', 'module', 'main'] },
    build: {
      outDir,
      target: 'es2022',
      minify: false,
      lib: { entry: join(import.meta.dirname, 'fixtures/key-types-probe.ts'), formats: ['es'], fileName: 'probe' }
    }
  })
  code = await readFile(join(outDir, 'probe.js'), 'utf8')
  probe = await import(pathToFileURL(join(outDir, 'probe.js')).href)
}, 60_000)

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true })
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
