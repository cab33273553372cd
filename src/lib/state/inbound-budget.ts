import { MESSAGE_ID_BYTES, type ChatFrame } from '../p2p/chat/index.ts'

/**
 * What one peer's frames may hold in this page while they wait to be handled
 * (mostly text waiting for its IndexedDB write). The chat stream is read as
 * fast as the peer sends, so without a cap a peer that sends faster than the
 * store writes would grow the page's memory until the tab dies. An honest
 * burst stays far below it: 5,000 short messages weigh about 2 MB here.
 */
export const MAX_PENDING_INBOUND_BYTES = 32 * 1024 * 1024

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
 * turns away a frame that would take a peer past MAX_PENDING_INBOUND_BYTES.
 * Turning one away loses nothing: a message that is not stored is not acked,
 * so its sender sends it again, and an ack or receipt turned away comes again
 * with the next copy.
 */
export class InboundBudget {
  readonly #max: number
  readonly #pending = new Map<string, number>()
  /** frames turned away since the page started (diagnostics) */
  refused = 0

  constructor (max = MAX_PENDING_INBOUND_BYTES) {
    this.#max = max
  }

  /** Handles a frame of `peer` unless its frames in hand weigh too much already; false when turned away. */
  async handle (peer: string, frame: ChatFrame, handler: () => Promise<void>): Promise<boolean> {
    const weight = frameWeight(frame)
    const pending = this.#pending.get(peer) ?? 0
    if (pending + weight > this.#max) {
      this.refused++
      return false
    }
    this.#pending.set(peer, pending + weight)
    try {
      await handler()
    } finally {
      const left = (this.#pending.get(peer) ?? weight) - weight
      if (left > 0) this.#pending.set(peer, left)
      else this.#pending.delete(peer)
    }
    return true
  }
}
