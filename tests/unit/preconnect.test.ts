import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { dropPreconnected, originRelaySocketUrl, preconnect, PRECONNECT_MAX_AGE_MS, takePreconnected } from '../../src/lib/p2p/preconnect.ts'

/** Stands in for the browser's WebSocket: records what was opened and closed. */
class FakeSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static opened: FakeSocket[] = []
  readyState = FakeSocket.CONNECTING
  binaryType = 'blob'
  constructor (readonly url: string) {
    FakeSocket.opened.push(this)
  }

  close (): void {
    this.readyState = FakeSocket.CLOSED
  }
}

describe('a relay socket opened ahead of the node', () => {
  beforeEach(() => {
    FakeSocket.opened = []
    vi.useFakeTimers()
    vi.stubGlobal('WebSocket', FakeSocket)
  })

  afterEach(() => {
    dropPreconnected()
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('is the relay that served the page, over wss when the page is https', () => {
    expect(originRelaySocketUrl({ protocol: 'http:', host: '127.0.0.1:9090' })).toBe('ws://127.0.0.1:9090')
    expect(originRelaySocketUrl({ protocol: 'https:', host: 'chat.example' })).toBe('wss://chat.example')
  })

  it('is handed to the first dial of the same address, once', () => {
    preconnect('ws://127.0.0.1:9090')
    const [socket] = FakeSocket.opened
    expect(socket.binaryType).toBe('arraybuffer')
    expect(takePreconnected('ws://10.0.0.1:9090')).toBeUndefined()
    // the transport writes the address as multiaddr-to-uri does; the same place either way
    expect(takePreconnected('ws://127.0.0.1:9090/')).toBe(socket)
    expect(takePreconnected('ws://127.0.0.1:9090')).toBeUndefined()
    expect(socket.readyState).toBe(FakeSocket.CONNECTING)
  })

  it('opens one socket however often the start asks', () => {
    preconnect('ws://127.0.0.1:9090')
    preconnect('ws://127.0.0.1:9090')
    expect(FakeSocket.opened).toHaveLength(1)
  })

  it('is not handed over once it failed, so the dial opens its own', () => {
    preconnect('wss://chat.example')
    FakeSocket.opened[0].readyState = FakeSocket.CLOSED
    expect(takePreconnected('wss://chat.example:443')).toBeUndefined()
  })

  it('is closed when nobody takes it in time', () => {
    preconnect('ws://127.0.0.1:9090')
    vi.advanceTimersByTime(PRECONNECT_MAX_AGE_MS)
    expect(FakeSocket.opened[0].readyState).toBe(FakeSocket.CLOSED)
    expect(takePreconnected('ws://127.0.0.1:9090')).toBeUndefined()
  })

  it('is closed when the tab will not run the node', () => {
    preconnect('ws://127.0.0.1:9090')
    dropPreconnected()
    expect(FakeSocket.opened[0].readyState).toBe(FakeSocket.CLOSED)
    expect(takePreconnected('ws://127.0.0.1:9090')).toBeUndefined()
  })
})
