/**
 * The bench process's own small HTTP server on loopback: it serves the
 * benchmark pages (bench/.dist) and relays WebRTC signaling between two
 * pages over WebSockets (`/signal?room=<r>`): the bare-RTCPeerConnection
 * floor needs a signaling path, and this is the simplest one there is.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8'
}

export interface BenchServer {
  url: string
  signalUrl: (room: string) => string
  close: () => Promise<void>
}

export async function startBenchServer (root: string): Promise<BenchServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const file = normalize(join(root, path === '/' ? 'index.html' : path))
    if (!file.startsWith(root)) { res.writeHead(403).end(); return }
    readFile(file).then(body => {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
    }, () => { res.writeHead(404).end() })
  })
  const rooms = new Map<string, Set<WebSocket>>()
  // what one side said before the other joined, handed to the next one in
  const pending = new Map<string, string[]>()
  const wss = new WebSocketServer({ server, path: '/signal' })
  wss.on('connection', (ws, req) => {
    const room = new URL(req.url ?? '/', 'http://localhost').searchParams.get('room') ?? ''
    const members = rooms.get(room) ?? new Set<WebSocket>()
    rooms.set(room, members)
    members.add(ws)
    for (const text of pending.get(room) ?? []) ws.send(text)
    pending.delete(room)
    ws.on('message', data => {
      const others = [...members].filter(other => other !== ws)
      if (others.length === 0) pending.set(room, [...(pending.get(room) ?? []), data.toString()])
      for (const other of others) other.send(data.toString())
    })
    ws.on('close', () => {
      members.delete(ws)
      if (members.size === 0) { rooms.delete(room); pending.delete(room) }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    signalUrl: room => `ws://127.0.0.1:${port}/signal?room=${encodeURIComponent(room)}`,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
