import { MESSAGE_ID_BYTES, type ChatFrame } from '../p2p/chat/index.ts'

/**
 * What one peer's frames may hold in this page while they wait to be handled
 * (mostly text waiting for its IndexedDB write). The chat stream is read as
 * fast as the peer sends, so without a cap a peer that sends faster than the
 * store writes would grow the page's memory until the tab dies. An honest
 * burst stays far below it: 5,000 short messages weigh about 2 MB here.
 */
export const MAX_PENDING_INBOUND_BYTES = 32 * 1024 * 1024

/**
 * What all peers' frames together may hold. Identities cost nothing to make,
 * so a cap per peer alone would let a crowd of them, each under its own cap,
 * fill the tab: libp2p lets a page hold 100 connections, 3 GiB at 32 MiB
 * each. Two peers' worth keeps a phone's tab alive and still dwarfs what
 * honest peers have in hand at once.
 */
export const MAX_PENDING_INBOUND_BYTES_TOTAL = 2 * MAX_PENDING_INBOUND_BYTES

/** What a frame in hand costs beyond its own content: its record, promises and, for acks, a transaction. */
export const FRAME_OVERHEAD_BYTES = 256

/** About what a frame holds in memory while it is handled (strings count two bytes a character). */
export function frameWeight (frame: ChatFrame): number {
  switch (frame.type) {
    case 'text': return FRAME_OVERHEAD_BYTES + 2 * frame.text.length
    case 'profile': return FRAME_OVERHEAD_BYTES + 2 * frame.name.length
    case 'ack':
    case 'read': return FRAME_OVERHEAD_BYTES + MESSAGE_ID_BYTES * frame.ids.length
    case 'typing': return FRAME_OVERHEAD_BYTES
  }
}

/**
 * Keeps count of what each peer's frames hold while they are handled, and
 * turns away a frame that would take a peer past MAX_PENDING_INBOUND_BYTES,
 * or all of them together past MAX_PENDING_INBOUND_BYTES_TOTAL.
 * Turning one away loses nothing: a message that is not stored is not acked,
 * so its sender sends it again, and an ack or receipt turned away comes again
 * with the next copy.
 */
export class InboundBudget {
  readonly #max: number
  readonly #maxTotal: number
  readonly #pending = new Map<string, number>()
  #total = 0
  /** frames turned away since the page started (diagnostics) */
  refused = 0

  constructor (max = MAX_PENDING_INBOUND_BYTES, maxTotal = MAX_PENDING_INBOUND_BYTES_TOTAL) {
    this.#max = max
    this.#maxTotal = maxTotal
  }

  /** Handles a frame of `peer` unless its frames in hand, or all peers', weigh too much already; false when turned away. */
  async handle (peer: string, frame: ChatFrame, handler: () => Promise<void>): Promise<boolean> {
    const weight = frameWeight(frame)
    const pending = this.#pending.get(peer) ?? 0
    if (pending + weight > this.#max || this.#total + weight > this.#maxTotal) {
      this.refused++
      return false
    }
    this.#pending.set(peer, pending + weight)
    this.#total += weight
    try {
      await handler()
    } finally {
      this.#total -= weight
      const left = (this.#pending.get(peer) ?? weight) - weight
      if (left > 0) this.#pending.set(peer, left)
      else this.#pending.delete(peer)
    }
    return true
  }
}
