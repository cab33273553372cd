import type { Connection } from './db.ts'
import { InvalidArgumentError } from './errors.ts'
import type { IdentityRepository, Profile, ProfileRepository } from './types.ts'
import { assertName } from './validate.ts'

function checkedKey (key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length === 0) {
    throw new InvalidArgumentError('Invalid identity key: expected non-empty bytes')
  }
  // a copy, so a view into a larger buffer stores only its own bytes
  return key.slice()
}

export function identityRepository (connection: Connection): IdentityRepository {
  return {
    async load () {
      const record = await connection.transact(['meta'], 'readonly', async tx => await tx.objectStore('meta').get('identity'))
      return record?.key === 'identity' ? record.privateKey : undefined
    },

    async save (key) {
      const privateKey = checkedKey(key)
      await connection.transact(['meta'], 'readwrite', async tx => {
        await tx.objectStore('meta').put({ key: 'identity', privateKey })
      })
    },

    async saveIfAbsent (key) {
      const privateKey = checkedKey(key)
      // one transaction: two tabs opening for the first time at once serialize
      // here, and the second one gets the first one's identity
      return await connection.transact(['meta'], 'readwrite', async tx => {
        const meta = tx.objectStore('meta')
        const existing = await meta.get('identity')
        if (existing?.key === 'identity') return existing.privateKey
        await meta.add({ key: 'identity', privateKey })
        return privateKey
      })
    }
  }
}

export function profileRepository (connection: Connection): ProfileRepository {
  return {
    async load () {
      const record = await connection.transact(['meta'], 'readonly', async tx => await tx.objectStore('meta').get('profile'))
      return record?.key === 'profile' ? { ...record.profile } : undefined
    },

    async save (p) {
      if (typeof p !== 'object' || p === null) throw new InvalidArgumentError('Invalid profile: expected { name }')
      assertName(p.name)
      if (p.readReceipts != null && typeof p.readReceipts !== 'boolean') throw new InvalidArgumentError('Invalid profile: readReceipts must be true or false')
      // only the known fields, so callers cannot stash arbitrary objects here
      const profile: Profile = p.readReceipts != null ? { name: p.name, readReceipts: p.readReceipts } : { name: p.name }
      await connection.transact(['meta'], 'readwrite', async tx => {
        await tx.objectStore('meta').put({ key: 'profile', profile })
      })
    }
  }
}
