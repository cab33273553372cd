import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A version name made from what is built: a hash of the files and folders
 * `inputs` (relative to `root`), their paths and contents. The same code gives
 * the same name in any checkout; any change to it gives another.
 *
 * @param {string} root
 * @param {string[]} inputs
 * @returns {string}
 */
export function sourceVersion (root, inputs) {
  const hash = createHash('sha256')
  /** @param {string} path relative to root, so the checkout's place does not count */
  const add = (path) => {
    const full = join(root, path)
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) add(join(path, name))
      return
    }
    hash.update(path).update('\0').update(readFileSync(full)).update('\0')
  }
  for (const input of inputs) add(input)
  return hash.digest('hex').slice(0, 16)
}
