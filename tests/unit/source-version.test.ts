import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sourceVersion } from '../../vite/source-version.js'

// The app's version name (svelte.config.js): an open tab offers an update,
// and the service worker fetches the app again, whenever it changes.
const INPUTS = ['src', 'package-lock.json']
let dir: string

async function project (at: string): Promise<string> {
  await mkdir(join(at, 'src', 'lib'), { recursive: true })
  await writeFile(join(at, 'src', 'app.html'), '<html></html>')
  await writeFile(join(at, 'src', 'lib', 'chat.ts'), 'export const a = 1\n')
  await writeFile(join(at, 'package-lock.json'), '{}')
  return at
}

beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'source-version-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('the app version, made from its sources', () => {
  it('should be the same for the same code, built again or in another checkout', async () => {
    const one = await project(join(dir, 'one'))
    const other = join(dir, 'elsewhere', 'two')
    await cp(one, other, { recursive: true })
    expect(sourceVersion(one, INPUTS)).toBe(sourceVersion(one, INPUTS))
    expect(sourceVersion(other, INPUTS)).toBe(sourceVersion(one, INPUTS))
  })

  it('should change with a byte of a file, a file moved, or a file added', async () => {
    const root = await project(join(dir, 'p'))
    const seen = new Set([sourceVersion(root, INPUTS)])
    await writeFile(join(root, 'src', 'lib', 'chat.ts'), 'export const a = 2\n')
    seen.add(sourceVersion(root, INPUTS))
    await rename(join(root, 'src', 'lib', 'chat.ts'), join(root, 'src', 'lib', 'talk.ts'))
    seen.add(sourceVersion(root, INPUTS))
    await writeFile(join(root, 'src', 'lib', 'new.ts'), '')
    seen.add(sourceVersion(root, INPUTS))
    await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion":3}')
    seen.add(sourceVersion(root, INPUTS))
    expect(seen.size).toBe(5)
  })
})
