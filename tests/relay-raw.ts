/**
 * Raw TCP clients for the relay's public port: what a browser's WebSocket
 * upgrade looks like on the wire, without any libp2p behind it.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'

export interface RawUpgrade {
  /** the status line's code, 0 when the socket closed before one came */
  status: number
  socket: Socket
}

/** Sends a WebSocket upgrade (to `path`) and resolves with the status the relay answered; the socket stays open. */
export async function rawUpgrade (port: number, extraHeaders: Record<string, string> = {}, path = '/'): Promise<RawUpgrade> {
  return await new Promise((resolve, reject) => {
    let text = ''
    let done = false
    const socket = connect({ host: '127.0.0.1', port }, () => {
      const headers = {
        Host: `127.0.0.1:${port}`,
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...extraHeaders
      }
      socket.write(`GET ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
    })
    const finish = (status: number): void => {
      if (done) return
      done = true
      resolve({ status, socket })
    }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (match != null) finish(Number(match[1]))
    })
    socket.on('close', () => { finish(0) })
    socket.on('error', (err) => { if (!done) reject(err) })
  })
}

/** Opens a TCP connection, writes the bytes (if any) and hands back the socket, errors swallowed. */
export async function rawSocket (port: number, payload?: Buffer | string): Promise<Socket> {
  return await new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (payload != null) socket.write(payload)
      resolve(socket)
    })
    socket.on('error', () => {})
  })
}

export function varint (value: number): Uint8Array {
  const out: number[] = []
  let rest = value
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  out.push(rest)
  return Uint8Array.from(out)
}

/**
 * The status field (5) of a circuit relay HopMessage, read straight from the
 * protobuf bytes: the tests check what the relay answered without importing
 * the library's private generated code.
 */
export function hopStatus (message: Uint8Array): number | undefined {
  let i = 0
  const readVarint = (): number => {
    let value = 0
    let shift = 0
    while (i < message.length) {
      const byte = message[i++]
      value += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) return value
    }
    throw new Error('truncated varint')
  }
  while (i < message.length) {
    const tag = readVarint()
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (wire === 0) {
      const value = readVarint()
      if (field === 5) return value
    } else if (wire === 2) {
      i += readVarint()
    } else {
      throw new Error(`unexpected wire type ${wire}`)
    }
  }
  return undefined
}

/** Hop status codes from the circuit relay v2 spec. */
export const HOP_STATUS = { OK: 100, RESERVATION_REFUSED: 200 } as const
