/**
 * Serves the built SvelteKit SPA: real files with their MIME type (their
 * precompressed copy when the browser accepts it), index.html for app paths
 * such as /p/<peerId>, 404 for missing assets, nothing outside the static
 * directory.
 */
import { open, realpath, stat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { decodedPath, LINK_PATH_PREFIX } from '../src/lib/shared/link-path.ts'
import { FILE_EXTENSION } from '../src/lib/shared/pwa.ts'
import { DEFAULT_CACHE_CONTROL, IMMUTABLE_CACHE_CONTROL } from './http-constants.ts'

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2'
}

/** Unknown types are downloaded, never sniffed into something executable (with nosniff). */
const FALLBACK_MIME = 'application/octet-stream'

/** SvelteKit puts content-hashed files here, and only here. */
const IMMUTABLE_PREFIX = '/_app/immutable/'

const NO_BUILD_PAGE = 'Peerlink: the app is not built yet.\n\nRun `npm run build`, then start the relay again.\n'

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>

/**
 * Maps a URL path to a path inside root, or null when it tries to leave root
 * (.. segments, encoded slashes or backslashes, NUL bytes, bad escapes).
 */
export function resolveInside (root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  if (decoded.split('/').some(segment => segment === '..')) return null
  const full = resolve(root, '.' + decoded)
  if (full !== root && !full.startsWith(root + sep)) return null
  return full
}

interface FileInfo { size: number, mtimeMs: number }

/**
 * A regular file at `path` that really lies inside `realRoot`, or null.
 * resolveInside only looks at the path's text: a symlink in the build (a
 * file copied from static/ as a link, a hand-made `build/`) could still
 * point at /etc or the relay's data dir. Links that stay inside are fine.
 */
async function fileInfo (realRoot: string, path: string): Promise<FileInfo | null> {
  try {
    const real = await realpath(path)
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return null
    const info = await stat(real)
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null
  } catch {
    return null
  }
}

/**
 * The build writes a Brotli and a gzip copy beside each page, script and style
 * sheet (adapter-static's precompress): the libp2p chunk is 735 KB as it is,
 * 169 KB as Brotli. Best first.
 */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' }
] as const

/**
 * Whether an Accept-Encoding header accepts `encoding`: named with a q-value
 * above zero, or covered by `*` without being named with q=0.
 */
export function acceptsEncoding (header: string | undefined, encoding: string): boolean {
  if (header == null) return false
  let wildcard = false
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';').map(p => p.trim())
    const q = params.find(p => p.startsWith('q='))
    const weight = q == null ? 1 : Number(q.slice(2))
    const accepted = Number.isFinite(weight) && weight > 0
    if (name === encoding) return accepted
    if (name === '*') wildcard = accepted
  }
  return wildcard
}

interface Variant { path: string, encoding?: string }

/**
 * The smallest copy of `path` this request accepts, and whether a compressed
 * one exists at all. A copy older than the file is not one: the file was
 * replaced after the build (a hand-patched file, a partial deploy), and the
 * browser must get what is there now.
 */
async function pickVariant (req: IncomingMessage, realRoot: string, path: string, file: FileInfo): Promise<{ variant: Variant, varies: boolean }> {
  let varies = false
  for (const { encoding, suffix } of PRECOMPRESSED) {
    const compressed = await fileInfo(realRoot, path + suffix)
    if (compressed == null || compressed.mtimeMs < file.mtimeMs) continue
    varies = true
    if (acceptsEncoding(req.headers['accept-encoding'], encoding)) {
      return { variant: { path: path + suffix, encoding }, varies }
    }
  }
  return { variant: { path }, varies }
}

async function sendFile (req: IncomingMessage, res: ServerResponse, realRoot: string, path: string, file: FileInfo, cacheControl: string): Promise<void> {
  const { variant, varies } = await pickVariant(req, realRoot, path, file)
  // the length comes from the very file that is read: looked up by name, a
  // deploy that renamed a new version over it in between would send the new
  // bytes under the old length, and the browser would read past the end into
  // the next answer on the connection, or wait for bytes that never come
  let handle: FileHandle
  let size: number
  try {
    handle = await open(variant.path, 'r')
  } catch {
    // gone since it was looked up, as in the middle of a deploy
    sendText(res, 404, 'Not found\n')
    return
  }
  try {
    size = (await handle.stat()).size
  } catch {
    await handle.close()
    sendText(res, 404, 'Not found\n')
    return
  }
  res.writeHead(200, {
    // the type of what was asked for, whichever copy of it goes out
    'Content-Type': MIME_TYPES[extname(path).toLowerCase()] ?? FALLBACK_MIME,
    'Content-Length': String(size),
    'Cache-Control': cacheControl,
    ...(variant.encoding != null ? { 'Content-Encoding': variant.encoding } : {}),
    // caches must keep the copies apart
    ...(varies ? { Vary: 'Accept-Encoding' } : {})
  })
  if (req.method === 'HEAD' || size === 0) {
    await handle.close()
    res.end()
    return
  }
  // no more than the length promised, should the file grow while it is read
  const stream = handle.createReadStream({ start: 0, end: size - 1 })
  try {
    // also when the client left while the file was looked up: a response
    // closed already ends the pipeline at once, and the file is closed with it
    await pipeline(stream, res)
  } catch {
    // the client left, or the file went away mid-read: the headers are out,
    // so all there is to do is cut the response short (the pipeline did)
  }
  // the file shrank while it was read (rewritten in place): the answer is short
  // of its length, so end the connection rather than leave the browser waiting
  if (stream.bytesRead < size) res.destroy()
}

function sendText (res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': DEFAULT_CACHE_CONTROL
  })
  res.end(text)
}

export function createStaticHandler (staticDir: string): StaticHandler {
  const root = resolve(staticDir)

  return async function serveStatic (req, res, pathname) {
    // on every request: a deploy may point a symlinked root at a new release
    const realRootNow = async (): Promise<string> => await realpath(root).catch(() => root)
    const target = resolveInside(root, pathname)
    if (target == null) {
      // a share link cut inside an escape is still a link: the app says what is wrong with it
      if (pathname.startsWith(LINK_PATH_PREFIX) && decodedPath(pathname) == null) await sendIndex(req, res, root, await realRootNow())
      else sendText(res, 400, 'Bad path\n')
      return
    }
    const realRoot = await realRootNow()
    const immutable = pathname.startsWith(IMMUTABLE_PREFIX)
    const cacheControl = immutable ? IMMUTABLE_CACHE_CONTROL : DEFAULT_CACHE_CONTROL

    const file = await fileInfo(realRoot, target)
    if (file != null) {
      await sendFile(req, res, realRoot, target, file, cacheControl)
      return
    }
    // a directory with its own page, as prerendered routes have
    const dirIndex = join(target, 'index.html')
    const dirIndexFile = pathname.endsWith('/') || !FILE_EXTENSION.test(target) ? await fileInfo(realRoot, dirIndex) : null
    if (dirIndexFile != null && target !== root) {
      await sendFile(req, res, realRoot, dirIndex, dirIndexFile, DEFAULT_CACHE_CONTROL)
      return
    }
    // a path with an extension names a file: a missing one is a real 404, or a
    // stale script would be answered with HTML and fail confusingly
    if (FILE_EXTENSION.test(target) || immutable) {
      sendText(res, 404, 'Not found\n')
      return
    }
    await sendIndex(req, res, root, realRoot)
  }
}

/** The app's page, for a path only the app knows (a deep link), or the page saying there is no build; `realRoot` is root's real path, read once per request. */
async function sendIndex (req: IncomingMessage, res: ServerResponse, root: string, realRoot: string): Promise<void> {
  const indexFile = join(root, 'index.html')
  const index = await fileInfo(realRoot, indexFile)
  if (index == null) {
    sendText(res, 503, NO_BUILD_PAGE)
    return
  }
  await sendFile(req, res, realRoot, indexFile, index, DEFAULT_CACHE_CONTROL)
}
