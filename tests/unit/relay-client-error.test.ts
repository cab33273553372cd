import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenPublicServer } from '../public-server.ts'

/** The server's request timeouts in this test: the relay's own would make it a minute long. */
const TIMEOUTS = { headersMs: 300, requestMs: 300, checkIntervalMs: 100 }
/** Past Node's default limit on the request head (16 KiB). */
const OVERSIZED_HEADER_BYTES = 20 * 1024

let dir: string
let close: () => Promise<void>
let port: number

/** Writes the bytes on a fresh TCP connection and resolves with all the server sent before it closed. */
async function exchange (payload: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    let text = ''
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.write(payload) })
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { text += chunk })
    socket.on('close', () => { resolve(text) })
    socket.on('error', reject)
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerlink-client-error-'))
  await writeFile(join(dir, 'index.html'), '<!doctype html>')
  ;({ port, close } = await listenPublicServer({ staticDir: dir, requestTimeouts: TIMEOUTS }))
})

afterAll(async () => {
  await close()
  await rm(dir, { recursive: true, force: true })
})

describe('answers to requests the HTTP parser gives up on', { timeout: 15_000 }, () => {
  it('should answer oversized request headers with 431', async () => {
    const answer = await exchange(`GET / HTTP/1.1\r\nHost: relay\r\nCookie: ${'a'.repeat(OVERSIZED_HEADER_BYTES)}\r\n\r\n`)
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  })

  it('should answer a request whose headers never finish with 408', async () => {
    const answer = await exchange('GET / HTTP/1.1\r\nHost: relay\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
  })

  it('should answer anything else it cannot parse with 400', async () => {
    const answer = await exchange('GARBAGE \x00\x01\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
  })

  it('should still serve a well-formed request on the same server', async () => {
    const answer = await exchange('GET / HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
  })
})
