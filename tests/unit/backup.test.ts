import { privateKeyFromRaw, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createIdentity, identityFromBytes } from '../../src/lib/p2p/identity.ts'
import { encryptIdentity, MIN_ITERATIONS } from '../../src/lib/p2p/identity-backup.ts'

const PASSPHRASE = 'correct horse battery'

// the identity this browser holds now (undefined: damaged), and what the import does to it
const browser = vi.hoisted(() => ({
  keyBytes: undefined as Uint8Array | undefined,
  conversations: [] as Array<{ peer: string }>,
  /** per conversation, its messages not delivered yet */
  outboxes: {} as Record<string, string[]>
}))
const replaceIdentity = vi.hoisted(() => vi.fn(async (_bytes: Uint8Array) => {}))
vi.mock('../../src/lib/state/session.svelte.ts', () => ({
  session: {
    identityBytes: async () => {
      if (browser.keyBytes == null) throw new Error('The stored identity is damaged')
      return browser.keyBytes
    },
    replaceIdentity,
    local: async () => ({
      store: {
        conversations: { list: async () => browser.conversations },
        messages: { outbox: async (peer: string) => browser.outboxes[peer] ?? [] }
      }
    })
  }
}))
const { DifferentIdentityError, exportIdentity, importIdentity } = await import('../../src/lib/state/backup.ts')

function peerIdOf (keyBytes: Uint8Array): string {
  return peerIdFromPrivateKey(identityFromBytes(keyBytes)).toString()
}

async function backupOf (keyBytes: Uint8Array): Promise<Blob> {
  return await backupClaiming(keyBytes, peerIdOf(keyBytes))
}

/** a backup as anyone who knows its passphrase can make one, saying what peer ID they like */
async function backupClaiming (keyBytes: Uint8Array, peerId: string): Promise<Blob> {
  return new Blob([await encryptIdentity(keyBytes, peerId, PASSPHRASE, { iterations: MIN_ITERATIONS })])
}

beforeEach(() => {
  replaceIdentity.mockClear()
  browser.conversations = [{ peer: 'a friend' }]
  browser.outboxes = {}
  vi.stubGlobal('location', { reload: vi.fn() })
})

/**
 * Each test derives keys from the passphrase (PBKDF2, MIN_ITERATIONS) several
 * times: about 1.1 s alone, past vitest's 5 s default on a loaded machine.
 */
const KEY_DERIVATION_TEST_MS = 30_000

describe('backup: importing an identity', { timeout: KEY_DERIVATION_TEST_MS }, () => {
  it('should ask before a backup of another identity replaces the one in use, and replace it once the user says so', async () => {
    browser.keyBytes = await createIdentity()
    const other = await createIdentity()
    const file = await backupOf(other)
    const refused = importIdentity(file, PASSPHRASE)
    await expect(refused).rejects.toBeInstanceOf(DifferentIdentityError)
    await expect(refused).rejects.toThrow(/which has a conversation\. .*friends who have your current link can no longer reach you/)
    await expect(refused).rejects.toHaveProperty('atStake', true)
    expect(replaceIdentity).not.toHaveBeenCalled()
    await importIdentity(file, PASSPHRASE, { replacing: peerIdOf(browser.keyBytes) })
    expect(replaceIdentity).toHaveBeenCalledWith(other)
  })

  it('should ask again when another tab replaced the identity after the user chose to replace the one they were shown', async () => {
    browser.keyBytes = await createIdentity()
    const shown = peerIdOf(browser.keyBytes)
    const file = await backupOf(await createIdentity())
    await expect(importIdentity(file, PASSPHRASE)).rejects.toHaveProperty('current', shown)
    // a backup imported in another tab while this one asked
    browser.keyBytes = await createIdentity()
    const asked = importIdentity(file, PASSPHRASE, { replacing: shown })
    await expect(asked).rejects.toBeInstanceOf(DifferentIdentityError)
    await expect(asked).rejects.toHaveProperty('current', peerIdOf(browser.keyBytes))
    expect(replaceIdentity).not.toHaveBeenCalled()
    // asked about the identity there now, the user's choice holds
    await importIdentity(file, PASSPHRASE, { replacing: peerIdOf(browser.keyBytes) })
    expect(replaceIdentity).toHaveBeenCalledTimes(1)
  })

  it('should say how many messages wait to be delivered, and that they go out as the backup\'s identity, and ask again if more were written since', async () => {
    browser.keyBytes = await createIdentity()
    const current = peerIdOf(browser.keyBytes)
    browser.conversations = [{ peer: 'a friend' }, { peer: 'another friend' }, { peer: 'a third' }]
    browser.outboxes = { 'a friend': ['hi', 'are you there?'], 'another friend': ['see you'] }
    const file = await backupOf(await createIdentity())
    const asked = importIdentity(file, PASSPHRASE)
    await expect(asked).rejects.toHaveProperty('queued', 3)
    await expect(asked).rejects.toThrow(/3 messages you wrote here are not delivered yet: after the import they go out as the backup's identity/)
    await expect(asked).rejects.toThrow(/choose Keep mine and import once they are delivered/)
    // another tab queued one more while the user read the warning: they were not told of it
    browser.outboxes['a third'] = ['one more']
    const again = importIdentity(file, PASSPHRASE, { replacing: current, queued: 3 })
    await expect(again).rejects.toHaveProperty('queued', 4)
    expect(replaceIdentity).not.toHaveBeenCalled()
    await importIdentity(file, PASSPHRASE, { replacing: current, queued: 4 })
    expect(replaceIdentity).toHaveBeenCalledTimes(1)
  })

  it('should say nothing of undelivered messages when every message went out', async () => {
    browser.keyBytes = await createIdentity()
    const asked = importIdentity(await backupOf(await createIdentity()), PASSPHRASE)
    await expect(asked).rejects.toHaveProperty('queued', 0)
    await expect(asked).rejects.not.toThrow(/not delivered/)
  })

  it('should only ask, without a warning, on a browser whose identity has no conversations to lose (a new device)', async () => {
    browser.keyBytes = await createIdentity()
    browser.conversations = []
    const file = await backupOf(await createIdentity())
    const asked = importIdentity(file, PASSPHRASE)
    await expect(asked).rejects.toBeInstanceOf(DifferentIdentityError)
    await expect(asked).rejects.toHaveProperty('atStake', false)
    await expect(asked).rejects.toThrow(/has no conversations yet: nothing stored here is lost/)
    await expect(asked).rejects.not.toThrow(/can no longer reach you/)
    expect(replaceIdentity).not.toHaveBeenCalled()
  })

  it('should restore the same identity, or over a damaged one, without asking', async () => {
    browser.keyBytes = await createIdentity()
    await importIdentity(await backupOf(browser.keyBytes), PASSPHRASE)
    expect(replaceIdentity).toHaveBeenCalledTimes(1)
    browser.keyBytes = undefined
    await importIdentity(await backupOf(await createIdentity()), PASSPHRASE)
    expect(replaceIdentity).toHaveBeenCalledTimes(2)
  })

  it('should refuse a backup whose secret does not belong to its public key, even when that is the public key in use', async () => {
    browser.keyBytes = await createIdentity()
    const own = identityFromBytes(browser.keyBytes)
    // libp2p's raw form is the 32-byte secret, then the 32-byte public key: a stranger's secret beside our public key
    const raw = identityFromBytes(await createIdentity()).raw.slice()
    raw.set(own.publicKey.raw, 32)
    const forged = privateKeyToProtobuf(privateKeyFromRaw(raw))
    const peerId = peerIdFromPrivateKey(own).toString()
    expect(peerIdFromPrivateKey(identityFromBytes(forged)).toString()).toBe(peerId)
    const file = await backupClaiming(forged, peerId)
    await expect(importIdentity(file, PASSPHRASE)).rejects.toThrow('This backup does not hold a valid Peerlink identity. Nothing was imported.')
    await expect(importIdentity(file, PASSPHRASE, { replacing: peerId })).rejects.toThrow(/not hold a valid Peerlink identity/)
    expect(replaceIdentity).not.toHaveBeenCalled()
  })

  it('should say a backup holding something else than an identity key is not one, not that the stored identity is damaged', async () => {
    browser.keyBytes = await createIdentity()
    const file = await backupClaiming(new Uint8Array([8, 1, 18, 3, 1, 2, 3]), 'anything')
    await expect(importIdentity(file, PASSPHRASE)).rejects.toThrow('This backup does not hold a valid Peerlink identity. Nothing was imported.')
    expect(replaceIdentity).not.toHaveBeenCalled()
  })

  it('should name an exported backup after the key it holds', async () => {
    browser.keyBytes = await createIdentity()
    const { name } = await exportIdentity(PASSPHRASE)
    expect(name).toBe(`peerlink-identity-${peerIdFromPrivateKey(identityFromBytes(browser.keyBytes)).toString().slice(-8)}.json`)
  })
})
