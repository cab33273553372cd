import type { PeerlinkNode } from '../p2p/node.ts'
import type { ChatFrame } from '../p2p/chat/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'

/**
 * A frame that cannot be written for this long is stuck behind a connection
 * that only looks open (a healthy one drains megabytes a second): the send
 * fails, and the connection is dropped so that a fresh one replaces it.
 */
export const SEND_TIMEOUT_MS = 10_000

/** Hands frames to chat with a deadline, and drops a connection that cannot take them. */
export class FrameSender {
  readonly #node: PeerlinkNode
  readonly #onDead: () => void
  /** the deadline of the frames handed over in this task (see #deadline) */
  #current: AbortSignal | undefined

  /** `onDead` hears of each connection dropped because a frame was stuck on it */
  constructor (node: PeerlinkNode, onDead: () => void) {
    this.#node = node
    this.#onDead = onDead
  }

  /**
   * Sends on `conn`, the connection the ladder calls usable, not chat's own
   * pick: a WebRTC connection whose path is down still looks open to chat, and
   * a frame stuck there would time out the healthy connection instead.
   * Without one, chat picks: a page that did not dial (nobody has the
   * conversation open) still acks what arrives over a relayed connection.
   */
  async send (peer: PeerId, frame: ChatFrame, conn: Connection | undefined): Promise<void> {
    const signal = this.#deadline()
    try {
      await this.#node.services.chat.send(peer, frame, conn != null ? { connection: conn, signal } : { allowLimited: true, signal })
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' && conn?.status === 'open') {
        this.#onDead()
        conn.abort(new Error('a frame could not be written for too long'))
      }
      throw err
    }
  }

  /**
   * Frames handed over in the same task share one deadline: a burst hands
   * over hundreds at once, and a timer for each cost more than writing them.
   */
  #deadline (): AbortSignal {
    if (this.#current == null) {
      this.#current = AbortSignal.timeout(SEND_TIMEOUT_MS)
      queueMicrotask(() => { this.#current = undefined })
    }
    return this.#current
  }
}
