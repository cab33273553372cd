/**
 * Serves the built SvelteKit SPA: real files with their MIME type, index.html
 * for app paths such as /p/<peerId>, 404 for missing assets, nothing outside
 * the static directory.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { DEFAULT_CACHE_CONTROL, IMMUTABLE_CACHE_CONTROL } from './constants.ts'

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

async function fileSize (path: string): Promise<number | null> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : null
  } catch {
    return null
  }
}

function sendFile (req: IncomingMessage, res: ServerResponse, path: string, size: number, cacheControl: string): Promise<void> {
  res.writeHead(200, {
    'Content-Type': MIME_TYPES[extname(path).toLowerCase()] ?? FALLBACK_MIME,
    'Content-Length': String(size),
    'Cache-Control': cacheControl
  })
  if (req.method === 'HEAD') {
    res.end()
    return Promise.resolve()
  }
  return new Promise(resolveDone => {
    const stream = createReadStream(path)
    stream.on('error', () => {
      // headers are out already: all we can do is cut the response short
      res.destroy()
      resolveDone()
    })
    res.on('close', () => {
      stream.destroy()
      resolveDone()
    })
    stream.pipe(res)
  })
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
  const indexFile = join(root, 'index.html')

  return async function serveStatic (req, res, pathname) {
    const target = resolveInside(root, pathname)
    if (target == null) {
      sendText(res, 400, 'Bad path\n')
      return
    }
    const immutable = pathname.startsWith(IMMUTABLE_PREFIX)
    const cacheControl = immutable ? IMMUTABLE_CACHE_CONTROL : DEFAULT_CACHE_CONTROL

    const size = await fileSize(target)
    if (size != null) {
      await sendFile(req, res, target, size, cacheControl)
      return
    }
    // a directory with its own page, as prerendered routes have
    const dirIndex = join(target, 'index.html')
    const dirIndexSize = pathname.endsWith('/') || extname(target) === '' ? await fileSize(dirIndex) : null
    if (dirIndexSize != null && target !== root) {
      await sendFile(req, res, dirIndex, dirIndexSize, DEFAULT_CACHE_CONTROL)
      return
    }
    // a path with an extension names a file: a missing one is a real 404, or a
    // stale script would be answered with HTML and fail confusingly
    if (extname(target) !== '' || immutable) {
      sendText(res, 404, 'Not found\n')
      return
    }
    const indexSize = await fileSize(indexFile)
    if (indexSize == null) {
      sendText(res, 503, NO_BUILD_PAGE)
      return
    }
    await sendFile(req, res, indexFile, indexSize, DEFAULT_CACHE_CONTROL)
  }
}
