/**
 * A deploy that renames new files over the served ones (rsync, an atomic
 * release) while the relay answers: every answer must be one whole version,
 * with the length of that version.
 */
import { renameSync } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createStaticHandler } from '../../relay/static-files.ts'

const OLD = 'self.version = 1\n'
const NEW = 'self.version = 2 // a longer new build\n'.repeat(40)

/** Set by the test: the next look-up of this path finds the old file, and the new one is renamed over it just after. */
let deployAfterStatOf: { path: string, next: string } | undefined

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...real,
    stat: async (...args: Parameters<typeof real.stat>) => {
      const info = await real.stat(...args)
      if (deployAfterStatOf != null && String(args[0]) === deployAfterStatOf.path) {
        renameSync(deployAfterStatOf.next, deployAfterStatOf.path)
        deployAfterStatOf = undefined
      }
      return info
    }
  }
})

let dir: string
let server: Server
let port: number

/** The whole exchange as bytes, the way a browser's connection would carry it. */
function rawGet (path: string): Promise<{ head: string, body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n`)
    })
    socket.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    socket.on('close', () => {
      const all = Buffer.concat(chunks)
      const end = all.indexOf('\r\n\r\n')
      resolve({ head: all.subarray(0, end).toString('latin1'), body: all.subarray(end + 4) })
    })
    socket.on('error', reject)
  })
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'peerlink-static-deploy-'))
  await fsp.writeFile(join(dir, 'index.html'), '<!doctype html>')
  const serve = createStaticHandler(dir)
  server = createServer((req, res) => { void serve(req, res, new URL(req.url ?? '/', 'http://x').pathname) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})

afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
  await fsp.rm(dir, { recursive: true, force: true })
})

describe('static files during a deploy', () => {
  it('should send one whole version under its own length when a new file is renamed over the one being served', async () => {
    const path = join(dir, 'service-worker.js')
    await fsp.writeFile(path, OLD)
    await fsp.writeFile(join(dir, 'next.tmp'), NEW)
    deployAfterStatOf = { path, next: join(dir, 'next.tmp') }
    const { head, body } = await rawGet('/service-worker.js')
    expect(deployAfterStatOf).toBeUndefined()
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1])
    expect(body.byteLength).toBe(length)
    expect([OLD, NEW]).toContain(body.toString())
  })
})
