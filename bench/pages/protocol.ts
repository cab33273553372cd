/** What the benchmark pages and the driver agree on. */
import type { StoreFloor } from './bare-store.ts'

export type { StoreFloor }

/** libp2p protocols of the bench pages only; the app never registers them. */
export const BULK_PROTOCOL = '/peerlink-bench/bulk/1.0.0'
export const ECHO_PROTOCOL = '/peerlink-bench/echo/1.0.0'

/**
 * Bulk writes: 64 KiB is what a file-transfer loop would hand the stream at a
 * time; both transports cut it up further as they need.
 */
export const BULK_CHUNK_BYTES = 64 * 1024

/**
 * Marks on the sending page around each bulk transfer, so a trace
 * (BENCH_TRACE=1) can be cut to one transfer: `tsx bench/trace-window.ts
 * TRACE bench-node-bulk-start bench-node-bulk-end`.
 */
export const BULK_MARKS = {
  bare: { start: 'peerlink:bench-bare-bulk-start', end: 'peerlink:bench-bare-bulk-end' },
  node: { start: 'peerlink:bench-node-bulk-start', end: 'peerlink:bench-node-bulk-end' }
} as const

/**
 * Bare data channel flow control: keep at most this much queued in the
 * channel, and refill when it drains below the low mark. 1 MiB in flight keeps
 * SCTP busy on loopback; the low mark leaves room to refill before it runs dry.
 */
export const DC_HIGH_WATER_BYTES = 1024 * 1024
export const DC_LOW_WATER_BYTES = 256 * 1024

/** Size of a ping in round-trip tests: about a short chat frame. */
export const PING_BYTES = 64

/** What bare.html puts on `window.peerlinkBench`: the platform floor alone, in a page of a few KB. */
export interface BareApi {
  /** bare WebRTC: join a signaling room; the 'offer' side connects, resolves when the channel is open (ms since navigation start) */
  bareConnect: (signalUrl: string, role: 'offer' | 'answer') => Promise<number>
  /** bare WebRTC: n sequential echoes of a PING_BYTES message, round trip in ms each */
  bareRtt: (n: number, gapMs?: number) => Promise<number[]>
  /** bare WebRTC: n small messages, the other side answers after the last; ms */
  bareBurst: (n: number) => Promise<number>
  /** bare WebRTC: `bytes` in BULK_CHUNK_BYTES writes with flow control; ms until the receiver has all */
  bareBulk: (bytes: number) => Promise<number>
  /** bare IndexedDB: the writes of a burst of `count` (batches of `batch`), then `singles` single strict writes */
  bareStore: (count: number, batch: number, singles: number, idleSingles?: number, gapMs?: number) => Promise<StoreFloor>
}

/** What index.html puts on `window.peerlinkBench`: the floor and a real Peerlink node side by side. */
export interface BenchApi extends BareApi {
  /** libp2p: start a Peerlink node on the relay and wait for its reservation; returns the peer ID */
  nodeStart: (relay: string) => Promise<string>
  /** libp2p: dial the peer directly through the relay; ms until the direct connection is open */
  nodeDial: (peer: string) => Promise<number>
  /** libp2p: n sequential echoes over one stream on the direct connection; ms each */
  nodeRtt: (peer: string, n: number) => Promise<number[]>
  /** libp2p: `bytes` over one stream on the direct connection; ms until the receiver has all */
  nodeBulk: (peer: string, bytes: number) => Promise<number>
}

/** Page times (ms since navigation start) of bare.html?signal=...: the floor for time to talk. */
export interface AutoResult {
  scriptRunning: number
  open: number
  echoed: number
}
