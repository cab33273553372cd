/** While typing goes on, tell the peer again this often (their indicator times out)… */
export const TYPING_REFRESH_MS = 3_000
/** …and show theirs for this long after their last typing frame. */
export const TYPING_SHOWN_MS = 6_000

/** Typing in one conversation, both ways: ours told to the peer sparingly, theirs shown until it stops. */
export class Typing {
  #peerTyping = $state(false)
  #shownUntil: ReturnType<typeof setTimeout> | undefined
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

  /** Whether to tell the peer of this change: a stop always, a keystroke once per TYPING_REFRESH_MS. */
  shouldTell (active: boolean, now = Date.now()): boolean {
    if (active && now - this.#toldAt < TYPING_REFRESH_MS) return false
    this.#toldAt = active ? now : 0
    return true
  }

  /** A message went: it ended our typing on the peer's side, so the next keystroke says so again at once. */
  sent (): void {
    this.#toldAt = 0
  }

  stop (): void {
    clearTimeout(this.#shownUntil)
  }
}
