import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { createIdentity, identityFromBytes } from '../../src/lib/p2p/identity.ts'
import {
  BACKUP_FORMAT, BackupFormatError, MAX_ITERATIONS, MIN_ITERATIONS, PBKDF2_ITERATIONS, SALT_BYTES, IV_BYTES,
  WeakPassphraseError, WrongPassphraseError, decryptIdentity, encryptIdentity, parseBackup, passphraseLength
} from '../../src/lib/p2p/identity-backup.ts'

const PASSPHRASE = 'correct horse battery staple'
/** the lowest count a file may carry keeps these tests fast; the default is checked on its own */
const FAST = { iterations: MIN_ITERATIONS }

async function identity (): Promise<{ keyBytes: Uint8Array, peerId: string }> {
  const keyBytes = await createIdentity()
  return { keyBytes, peerId: peerIdFromPrivateKey(identityFromBytes(keyBytes)).toString() }
}

function edit (text: string, change: (b: Record<string, any>) => void): string {
  const b = JSON.parse(text)
  change(b)
  return JSON.stringify(b)
}

describe('identity backup', () => {
  it('should give back the same key bytes and peer ID with the right passphrase', async () => {
    const { keyBytes, peerId } = await identity()
    const file = await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST)
    const restored = await decryptIdentity(file, PASSPHRASE)
    expect(restored.keyBytes).toEqual(keyBytes)
    expect(restored.peerId).toBe(peerId)
    expect(peerIdFromPrivateKey(identityFromBytes(restored.keyBytes)).toString()).toBe(peerId)
  })

  it('should record a versioned format with fresh salt and iv, and never the key in the clear', async () => {
    const { keyBytes, peerId } = await identity()
    const a = parseBackup(await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST))
    const b = parseBackup(await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST))
    expect(a.format).toBe(BACKUP_FORMAT)
    expect(a.version).toBe(1)
    expect(atob(a.kdf.salt)).toHaveLength(SALT_BYTES)
    expect(atob(a.cipher.iv)).toHaveLength(IV_BYTES)
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(a.cipher.iv).not.toBe(b.cipher.iv)
    expect(a.data).not.toBe(b.data)
    const plain = btoa(String.fromCharCode(...keyBytes))
    expect(JSON.stringify(a)).not.toContain(plain)
  })

  it('should use the strong iteration count by default', async () => {
    const { keyBytes, peerId } = await identity()
    const file = parseBackup(await encryptIdentity(keyBytes, peerId, PASSPHRASE))
    expect(file.kdf.iterations).toBe(PBKDF2_ITERATIONS)
  })

  it('should refuse a wrong passphrase with a clear error', async () => {
    const { keyBytes, peerId } = await identity()
    const file = await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST)
    await expect(decryptIdentity(file, 'not the passphrase at all')).rejects.toThrow(WrongPassphraseError)
    await expect(decryptIdentity(file, 'not the passphrase at all')).rejects.toThrow(/passphrase is wrong/)
  })

  it('should refuse a file whose peer ID or ciphertext was changed', async () => {
    const { keyBytes, peerId } = await identity()
    const other = await identity()
    const file = await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST)
    await expect(decryptIdentity(edit(file, b => { b.peerId = other.peerId }), PASSPHRASE)).rejects.toThrow(WrongPassphraseError)
    const flipped = edit(file, b => {
      const bytes = Uint8Array.from(atob(b.data), c => c.charCodeAt(0))
      bytes[0] ^= 1
      b.data = btoa(String.fromCharCode(...bytes))
    })
    await expect(decryptIdentity(flipped, PASSPHRASE)).rejects.toThrow(WrongPassphraseError)
  })

  it('should refuse short passphrases when exporting', async () => {
    const { keyBytes, peerId } = await identity()
    await expect(encryptIdentity(keyBytes, peerId, 'short', FAST)).rejects.toThrow(WeakPassphraseError)
  })

  it('should count a passphrase in characters as drawn, not in UTF-16 units', async () => {
    const { keyBytes, peerId } = await identity()
    // ten UTF-16 units each: five emoji; five letters with a combining accent; a family of five people joined into one
    for (const short of ['🐱🚲🌵🎺🧊', 'e\u0301'.repeat(5), '👨‍👩‍👧‍👦a']) {
      expect(short.length, short).toBeGreaterThanOrEqual(10)
      await expect(encryptIdentity(keyBytes, peerId, short, FAST), short).rejects.toThrow(WeakPassphraseError)
    }
    expect(passphraseLength('🐱🚲🌵🎺🧊🐱🚲🌵🎺🧊')).toBe(10)
    await encryptIdentity(keyBytes, peerId, '🐱🚲🌵🎺🧊🐱🚲🌵🎺🧊', FAST)
  })

  it('should refuse files that are not backups, from another version, or with unsafe settings', async () => {
    const { keyBytes, peerId } = await identity()
    const file = await encryptIdentity(keyBytes, peerId, PASSPHRASE, FAST)
    const bad = [
      'not json',
      '{"hello":"world"}',
      'null',
      edit(file, b => { b.version = 2 }),
      edit(file, b => { b.kdf.iterations = 1 }),
      edit(file, b => { b.kdf.iterations = MAX_ITERATIONS + 1 }),
      edit(file, b => { b.kdf.hash = 'SHA-1' }),
      edit(file, b => { b.cipher.iv = btoa('short') }),
      edit(file, b => { b.kdf.salt = '!!!' }),
      edit(file, b => { delete b.data }),
      'x'.repeat(20_000)
    ]
    for (const text of bad) {
      await expect(decryptIdentity(text, PASSPHRASE)).rejects.toThrow(BackupFormatError)
    }
  })
})
