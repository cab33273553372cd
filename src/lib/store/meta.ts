import type { Connection } from './db.ts'
import { InvalidArgumentError } from './errors.ts'
import type { IdentityRepository, Profile, ProfileRepository } from './types.ts'
import { assertName } from './validate.ts'

export function identityRepository (connection: Connection): IdentityRepository {
  return {
    async load () {
      const record = await connection.transact(['meta'], 'readonly', async tx => await tx.objectStore('meta').get('identity'))
      return record?.key === 'identity' ? record.privateKey : undefined
    },

    async save (key) {
      if (!(key instanceof Uint8Array) || key.length === 0) {
        throw new InvalidArgumentError('Invalid identity key: expected non-empty bytes')
      }
      // a copy, so a view into a larger buffer stores only its own bytes
      const privateKey = key.slice()
      await connection.transact(['meta'], 'readwrite', async tx => {
        await tx.objectStore('meta').put({ key: 'identity', privateKey })
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
      // only the known fields, so callers cannot stash arbitrary objects here
      const profile: Profile = { name: p.name }
      await connection.transact(['meta'], 'readwrite', async tx => {
        await tx.objectStore('meta').put({ key: 'profile', profile })
      })
    }
  }
}
