import { mkdir, mkdtemp, readdir, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acceptsEncoding, createStaticHandler } from '../../relay/static-files.ts'

const INDEX_HTML = '<!doctype html><title>peerlink test app</title>'
const SCRIPT = 'export const answer = 42\n'.repeat(50)
const SCRIPT_PATH = '/_app/immutable/chunks/big.abc123.js'
const PLAIN_PATH = '/_app/immutable/chunks/small.def456.js'
const REPLACED_PATH = '/service-worker.js'
const REPLACED = 'self.version = 2\n'.repeat(20)

let dir: string
let server: Server
let port: number

interface BytesResponse { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }

function get (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<BytesResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => { chunks.push(chunk) })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }) })
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerlink-static-test-'))
  const chunks = join(dir, '_app', 'immutable', 'chunks')
  await mkdir(chunks, { recursive: true })
  // as the build writes them: the file, and its Brotli and gzip copies beside it
  for (const [path, body] of [['index.html', INDEX_HTML], [SCRIPT_PATH, SCRIPT]] as const) {
    const file = join(dir, path)
    await writeFile(file, body)
    await writeFile(`${file}.br`, brotliCompressSync(body))
    await writeFile(`${file}.gz`, gzipSync(body))
  }
  await writeFile(join(dir, PLAIN_PATH), SCRIPT)
  // replaced after the build: its compressed copies are of the old version
  const replaced = join(dir, REPLACED_PATH)
  await writeFile(`${replaced}.br`, brotliCompressSync('self.version = 1\n'))
  await writeFile(`${replaced}.gz`, gzipSync('self.version = 1\n'))
  const built = new Date(Date.now() - 60_000)
  await utimes(`${replaced}.br`, built, built)
  await utimes(`${replaced}.gz`, built, built)
  await writeFile(replaced, REPLACED)
  const serve = createStaticHandler(dir)
  server = createServer((req, res) => { void serve(req, res, new URL(req.url ?? '/', 'http://x').pathname) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  port = typeof address === 'object' && address != null ? address.port : 0
})

afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

describe('precompressed static files', () => {
  it('sends the Brotli copy to a browser that accepts it, with the type of the file asked for', async () => {
    const res = await get(SCRIPT_PATH, { 'accept-encoding': 'gzip, deflate, br, zstd' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers['content-type']).toMatch(/^text\/javascript/)
    expect(res.headers.vary).toBe('Accept-Encoding')
    expect(Number(res.headers['content-length'])).toBe(res.body.byteLength)
    expect(res.body.byteLength).toBeLessThan(Buffer.byteLength(SCRIPT))
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT)
  })

  it('sends the gzip copy where Brotli is not accepted', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip;q=0.5', 'deflate, gzip']) {
      const res = await get(SCRIPT_PATH, { 'accept-encoding': accept })
      expect(res.headers['content-encoding'], accept).toBe('gzip')
      expect(gunzipSync(res.body).toString(), accept).toBe(SCRIPT)
    }
  })

  it('sends the file as it is to a client that accepts neither, still telling caches it varies', async () => {
    const asked: Array<Record<string, string>> = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }, { 'accept-encoding': '*;q=0' }]
    for (const headers of asked) {
      const res = await get(SCRIPT_PATH, headers)
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined()
      expect(res.headers.vary).toBe('Accept-Encoding')
      expect(res.body.toString()).toBe(SCRIPT)
    }
  })

  it('sends a file without compressed copies as it is, with no Vary', async () => {
    const res = await get(PLAIN_PATH, { 'accept-encoding': 'br, gzip' })
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.headers.vary).toBeUndefined()
    expect(res.body.toString()).toBe(SCRIPT)
  })

  it('never sends a compressed copy older than the file: the file was replaced after the build', async () => {
    const res = await get(REPLACED_PATH, { 'accept-encoding': 'br, gzip' })
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body.toString()).toBe(REPLACED)
  })

  it('compresses the app shell that answers app paths, and HEAD says what GET would send', async () => {
    const res = await get('/p/12D3KooWxyz', { 'accept-encoding': 'br' })
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(brotliDecompressSync(res.body).toString()).toBe(INDEX_HTML)
    const head = await get(SCRIPT_PATH, { 'accept-encoding': 'br' }, 'HEAD')
    expect(head.headers['content-encoding']).toBe('br')
    expect(head.body.byteLength).toBe(0)
  })

  it('reads Accept-Encoding the way HTTP defines it', () => {
    expect(acceptsEncoding('gzip, br', 'br')).toBe(true)
    expect(acceptsEncoding('BR;Q=0.8', 'br')).toBe(true)
    expect(acceptsEncoding('br;q=0', 'br')).toBe(false)
    expect(acceptsEncoding('*', 'br')).toBe(true)
    expect(acceptsEncoding('*, br;q=0', 'br')).toBe(false)
    expect(acceptsEncoding('gzip', 'br')).toBe(false)
    expect(acceptsEncoding('br;q=nonsense', 'br')).toBe(false)
    expect(acceptsEncoding(undefined, 'br')).toBe(false)
  })
})

/** Files of the test's static dir this process holds open (Linux's /proc). */
async function openStaticFiles (): Promise<number> {
  let open = 0
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')).startsWith(dir)) open++
  }
  return open
}

describe('clients that leave early', () => {
  it('should close the file of a client that hung up before its answer began', async () => {
    // each such leak held a descriptor for good: at the process's limit, the relay stopped answering
    for (let i = 0; i < 20; i++) {
      await new Promise<void>(resolve => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.write(`GET ${SCRIPT_PATH} HTTP/1.1\r\nHost: x\r\n\r\n`)
          socket.resetAndDestroy()
          resolve()
        })
        socket.on('error', () => {})
      })
    }
    await expect.poll(openStaticFiles, { timeout: 2_000 }).toBe(0)
    // and the next one is served as ever
    expect((await get(SCRIPT_PATH)).status).toBe(200)
  })
})

describe('symlinks in the static dir', () => {
  const SECRET = 'relay private key, not part of the app'
  let outside: string
  let linkedServer: Server
  let linkedPort: number

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'peerlink-static-outside-'))
    await writeFile(join(outside, 'relay.key'), SECRET)
    // links out of the static dir, as a build copied from static/ with links in it would have
    await symlink(join(outside, 'relay.key'), join(dir, 'leak.txt'))
    await symlink(outside, join(dir, 'data'))
    await symlink(join(outside, 'relay.key'), join(dir, 'icon.png.br'))
    await writeFile(join(dir, 'icon.png'), 'png')
    // newer than the file, so nothing but where it lies tells it from a real compressed copy
    const later = new Date(Date.now() + 60_000)
    await utimes(join(outside, 'relay.key'), later, later)
    // a link that stays inside is a file of the app like any other
    await symlink(join(dir, 'index.html'), join(dir, 'start.html'))
    // a deploy that points a symlinked root at its newest release
    const current = join(outside, 'current')
    await symlink(dir, current)
    const serve = createStaticHandler(current)
    linkedServer = createServer((req, res) => { void serve(req, res, new URL(req.url ?? '/', 'http://x').pathname) })
    await new Promise<void>(resolve => linkedServer.listen(0, '127.0.0.1', resolve))
    linkedPort = (linkedServer.address() as { port: number }).port
  })

  afterAll(async () => {
    await new Promise(resolve => linkedServer.close(resolve))
    await rm(outside, { recursive: true, force: true })
  })

  it('should never serve a file that a symlink places outside the static dir', async () => {
    for (const [path, headers] of [['/leak.txt', {}], ['/data/relay.key', {}], ['/icon.png', { 'accept-encoding': 'br' }]] as const) {
      const res = await get(path, headers)
      expect(res.body.toString(), path).not.toContain(SECRET)
    }
    expect((await get('/leak.txt')).status).toBe(404)
    expect((await get('/icon.png', { 'accept-encoding': 'br' })).body.toString()).toBe('png')
  })

  it('should serve links that stay inside, and a static dir that is itself a link', async () => {
    expect((await get('/start.html')).body.toString()).toBe(INDEX_HTML)
    const saved = port
    port = linkedPort
    try {
      expect((await get('/p/12D3KooWxyz')).body.toString()).toBe(INDEX_HTML)
      expect((await get(PLAIN_PATH)).body.toString()).toBe(SCRIPT)
      expect((await get('/leak.txt')).status).toBe(404)
    } finally {
      port = saved
    }
  })
})
