/** While typing goes on, tell the peer again this often (their indicator times out)… */
export const TYPING_REFRESH_MS = 3_000
/** …and show theirs for this long after their last typing frame. */
export const TYPING_SHOWN_MS = 6_000
/**
 * A keystroke is told only once the text has stood this long. A message sent
 * sooner (pasted and sent, or sent with the last keystroke) ends the peer's
 * indicator before it could show: its frame would be only work for both
 * pages, one more frame per message, in front of the message itself. Short
 * beside the pause a person makes before the indicator matters.
 */
export const TYPING_SETTLE_MS = 250

/** Typing in one conversation, both ways: ours told to the peer sparingly, theirs shown until it stops. */
export class Typing {
  #peerTyping = $state(false)
  #shownUntil: ReturnType<typeof setTimeout> | undefined
  #settling: ReturnType<typeof setTimeout> | undefined
  #toldAt = 0

  /** the peer is typing right now */
  get peerTyping (): boolean { return this.#peerTyping }

  /** The peer started or stopped typing. */
  heard (active: boolean): void {
    clearTimeout(this.#shownUntil)
    this.#peerTyping = active
    // a lost "stopped typing" frame must not leave the indicator on
    if (active) this.#shownUntil = setTimeout(() => { this.#peerTyping = false }, TYPING_SHOWN_MS)
  }

  /**
   * Our composer changed: `active` while it holds text. `tell` is called with
   * what the peer should hear: a start once the text has stood
   * TYPING_SETTLE_MS, and again once per TYPING_REFRESH_MS while typing goes
   * on; a stop when the peer was told of a start since the last message.
   */
  typed (active: boolean, tell: (active: boolean) => void): void {
    if (!active) {
      this.#cancelSettling()
      if (this.#toldAt === 0) return
      this.#toldAt = 0
      tell(false)
      return
    }
    if (this.#settling != null || Date.now() - this.#toldAt < TYPING_REFRESH_MS) return
    this.#settling = setTimeout(() => {
      this.#settling = undefined
      this.#toldAt = Date.now()
      tell(true)
    }, TYPING_SETTLE_MS)
  }

  /** A message went: it ended our typing on the peer's side, so the next keystroke says so again. */
  sent (): void {
    this.#cancelSettling()
    this.#toldAt = 0
  }

  stop (): void {
    clearTimeout(this.#shownUntil)
    this.#cancelSettling()
  }

  #cancelSettling (): void {
    clearTimeout(this.#settling)
    this.#settling = undefined
  }
}
