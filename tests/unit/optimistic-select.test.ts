import { InvalidMessageError, UnsupportedProtocolError } from '@libp2p/interface'
import { handle, select, PROTOCOL_ID } from '@libp2p/multistream-select'
import { byteStream, streamPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { fromString, toString } from 'uint8arrays'
import { describe, expect, it } from 'vitest'
import type { Stream, StreamCloseEvent } from '@libp2p/interface'

// patches/@libp2p+multistream-select: `negotiateFully: false` proposes a
// single protocol and hands the stream back without waiting for the answer,
// which is then checked, and kept from the stream's readers, when it arrives

const PROTOCOL = '/peerlink/test/1.0.0'

/** One line of multistream-select: a length (one varint byte here), the text and a newline. */
function line (text: string): Uint8Array {
  const bytes = fromString(`${text}\n`)
  return Uint8Array.of(bytes.byteLength, ...bytes)
}

async function readText (stream: Stream, bytes: number): Promise<string> {
  const reader = byteStream(stream)
  const read = await reader.read({ bytes })
  reader.unwrap()
  return toString(read.subarray())
}

async function closed (stream: Stream): Promise<StreamCloseEvent> {
  return await new Promise(resolve => { stream.addEventListener('close', resolve, { once: true }) })
}

describe('multistream-select with negotiateFully: false', () => {
  it('returns before the remote has answered, and the first bytes follow the proposal', async () => {
    const [dialer, listener] = await streamPair()
    // nobody handles the listener's side yet: a select that waited for the
    // answer would not return
    expect(await select(dialer, [PROTOCOL], { negotiateFully: false })).toBe(PROTOCOL)
    dialer.send(fromString('hello'))

    expect(await handle(listener, [PROTOCOL])).toBe(PROTOCOL)
    expect(await readText(listener, 5)).toBe('hello')

    listener.send(fromString('world'))
    // the answer (header and protocol) never reaches the dialer's reader
    expect(await readText(dialer, 5)).toBe('world')
  })

  it('strips an answer that arrives a byte at a time, together with the data after it', async () => {
    const [dialer, listener] = await streamPair()
    await select(dialer, [PROTOCOL], { negotiateFully: false })
    const answer = new Uint8ArrayList(line(PROTOCOL_ID), line(PROTOCOL), fromString('ok')).subarray()
    for (const byte of answer) listener.send(Uint8Array.of(byte))
    expect(await readText(dialer, 2)).toBe('ok')
  })

  it('keeps the data after the answer for a reader that comes later', async () => {
    const [dialer, listener] = await streamPair()
    await select(dialer, [PROTOCOL], { negotiateFully: false })
    listener.send(new Uint8ArrayList(line(PROTOCOL_ID), line(PROTOCOL), fromString('late')).subarray())
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(await readText(dialer, 4)).toBe('late')
  })

  it('aborts the stream when the remote refuses the protocol', async () => {
    const [dialer, listener] = await streamPair()
    await select(dialer, [PROTOCOL], { negotiateFully: false })
    dialer.send(fromString('hello'))
    const ended = closed(dialer)
    // the listener answers "na", then reads the dialer's data as the next
    // proposal and gives up on it
    handle(listener, ['/something/else/1.0.0']).catch(() => {})
    expect((await ended).error).toBeInstanceOf(UnsupportedProtocolError)
    expect(dialer.status).toBe('aborted')
  })

  it('aborts the stream on an answer that is not multistream-select', async () => {
    const [dialer, listener] = await streamPair()
    await select(dialer, [PROTOCOL], { negotiateFully: false })
    const ended = closed(dialer)
    listener.send(Uint8Array.of(3, ...fromString('abc')))
    expect((await ended).error).toBeInstanceOf(InvalidMessageError)
  })

  it('aborts the stream on an answer whose length never ends, rather than keep what follows', async () => {
    const [dialer, listener] = await streamPair()
    await select(dialer, [PROTOCOL], { negotiateFully: false })
    const ended = closed(dialer)
    // a varint whose every byte says "more follows": the line's length is never known
    listener.send(new Uint8Array(16).fill(0xff))
    for (let i = 0; i < 4 && dialer.status === 'open'; i++) listener.send(new Uint8Array(1024))
    expect((await ended).error).toBeInstanceOf(InvalidMessageError)
  })

  it('aborts the stream when the caller\'s signal ends before the answer came, as a full negotiation would fail', async () => {
    const [dialer] = await streamPair()
    // nobody ever answers on the other side
    await select(dialer, [PROTOCOL], { negotiateFully: false, signal: AbortSignal.timeout(50) })
    const ended = closed(dialer)
    expect(dialer.status).toBe('open')
    expect((await ended).error?.name).toBe('TimeoutError')
    expect(dialer.status).toBe('aborted')
  })

  it('keeps the stream once answered, whatever the caller\'s signal does after', async () => {
    const [dialer, listener] = await streamPair()
    const controller = new AbortController()
    await select(dialer, [PROTOCOL], { negotiateFully: false, signal: controller.signal })
    listener.send(new Uint8ArrayList(line(PROTOCOL_ID), line(PROTOCOL), fromString('ok')).subarray())
    expect(await readText(dialer, 2)).toBe('ok')
    controller.abort()
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(dialer.status).toBe('open')
  })

  it('still waits for the answer by default', async () => {
    const [dialer, listener] = await streamPair()
    let selected = false
    const selecting = select(dialer, [PROTOCOL]).then(() => { selected = true })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(selected).toBe(false)
    await handle(listener, [PROTOCOL])
    await selecting
    expect(selected).toBe(true)
  })
})
