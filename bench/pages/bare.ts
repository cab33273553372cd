/**
 * The platform's floor: one RTCPeerConnection and one ordered, reliable
 * RTCDataChannel between two pages, signaled over a WebSocket of the bench
 * process. No libp2p, no store, no UI.
 */
import { BULK_CHUNK_BYTES, BULK_MARKS, DC_HIGH_WATER_BYTES, DC_LOW_WATER_BYTES, PING_BYTES } from './protocol.ts'

let channel: RTCDataChannel | undefined
/** answers from the other side, in order ('p...' echoes, 'E', 'U') */
const waiting: Array<(reply: string) => void> = []
let bulkExpected = 0
let bulkReceived = 0

function onMessage (evt: MessageEvent): void {
  const dc = channel
  if (dc == null) return
  if (typeof evt.data !== 'string') {
    bulkReceived += (evt.data as ArrayBuffer).byteLength
    if (bulkExpected > 0 && bulkReceived >= bulkExpected) {
      bulkExpected = 0
      dc.send('u')
    }
    return
  }
  const kind = evt.data[0]
  if (kind === 'p') dc.send(`r${evt.data.slice(1)}`)
  else if (kind === 'E') dc.send('e')
  else if (kind === 'U') { bulkExpected = Number(evt.data.slice(1)); bulkReceived = 0 }
  else if (kind === 'r' || kind === 'e' || kind === 'u') waiting.shift()?.(evt.data)
}

function reply (): Promise<string> {
  return new Promise(resolve => { waiting.push(resolve) })
}

function useChannel (dc: RTCDataChannel): void {
  dc.binaryType = 'arraybuffer'
  dc.bufferedAmountLowThreshold = DC_LOW_WATER_BYTES
  dc.onmessage = onMessage
  channel = dc
}

function opened (dc: RTCDataChannel): Promise<number> {
  return new Promise((resolve, reject) => {
    dc.onopen = () => { resolve(performance.now()) }
    dc.onerror = () => { reject(new Error('data channel failed')) }
  })
}

export async function bareConnect (signalUrl: string, role: 'offer' | 'answer'): Promise<number> {
  const ws = new WebSocket(signalUrl)
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject })
  // the bench runs on loopback: no STUN/TURN, host candidates only
  const pc = new RTCPeerConnection({ iceServers: [] })
  const signal = (msg: unknown): void => { ws.send(JSON.stringify(msg)) }
  pc.onicecandidate = evt => { if (evt.candidate != null) signal({ candidate: evt.candidate.toJSON() }) }
  ws.onmessage = async evt => {
    const msg = JSON.parse(String(evt.data)) as { sdp?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit }
    if (msg.sdp != null) {
      await pc.setRemoteDescription(msg.sdp)
      if (msg.sdp.type === 'offer') {
        await pc.setLocalDescription()
        signal({ sdp: pc.localDescription })
      }
    } else if (msg.candidate != null) {
      await pc.addIceCandidate(msg.candidate)
    }
  }
  if (role === 'answer') {
    return await new Promise(resolve => {
      pc.ondatachannel = evt => {
        useChannel(evt.channel)
        if (evt.channel.readyState === 'open') resolve(performance.now())
        else void opened(evt.channel).then(resolve)
      }
    })
  }
  const dc = pc.createDataChannel('bench', { ordered: true })
  useChannel(dc)
  const open = opened(dc)
  await pc.setLocalDescription()
  signal({ sdp: pc.localDescription })
  return await open
}

function need (): RTCDataChannel {
  if (channel == null || channel.readyState !== 'open') throw new Error('no open data channel')
  return channel
}

/** `n` round trips, back to back or each after `gapMs` of quiet. */
export async function bareRtt (n: number, gapMs = 0): Promise<number[]> {
  const dc = need()
  const payload = 'p'.padEnd(PING_BYTES, 'x')
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await new Promise(resolve => setTimeout(resolve, gapMs))
    const started = performance.now()
    const answer = reply()
    dc.send(payload)
    await answer
    times.push(performance.now() - started)
  }
  return times
}

export async function bareBurst (n: number): Promise<number> {
  const dc = need()
  const started = performance.now()
  const done = reply()
  for (let i = 0; i < n; i++) {
    dc.send(`b${i}`.padEnd(PING_BYTES, 'x'))
    if (dc.bufferedAmount > DC_HIGH_WATER_BYTES) await drained(dc)
  }
  dc.send('E')
  await done
  return performance.now() - started
}

function drained (dc: RTCDataChannel): Promise<void> {
  return new Promise(resolve => { dc.addEventListener('bufferedamountlow', () => { resolve() }, { once: true }) })
}

export async function bareBulk (bytes: number): Promise<number> {
  const dc = need()
  const chunk = new Uint8Array(BULK_CHUNK_BYTES)
  dc.send(`U${bytes}`)
  performance.mark(BULK_MARKS.bare.start)
  const started = performance.now()
  const done = new Promise<string>(resolve => { waiting.push(resolve) })
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) {
    if (dc.bufferedAmount > DC_HIGH_WATER_BYTES) await drained(dc)
    dc.send(chunk)
  }
  await done
  performance.mark(BULK_MARKS.bare.end)
  return performance.now() - started
}
