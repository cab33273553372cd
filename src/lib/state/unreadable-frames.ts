/**
 * How often the open conversation may say that its peer sends what this
 * version cannot read. The chat resets the stream on each such frame and the
 * peer's messages wait, unacked, on its side, so it comes again with every
 * resend (every 4 s): once in ten minutes says it without nagging.
 */
export const UNREADABLE_NOTICE_MS = 10 * 60_000

/** What the open conversation says then. */
export const UNREADABLE_NOTICE = "This person's app sends something this version of Peerlink cannot read. Their messages wait on their side, nothing is lost: if either of you has an update waiting, reloading gets it."

/**
 * Frames a peer sent that the chat could not read (a newer or broken app,
 * or a peer up to no good): counted for the diagnostics page, and said in
 * the peer's conversation while it is open, at most once per
 * UNREADABLE_NOTICE_MS. Nothing is said of a peer whose conversation is not
 * open: identities cost nothing, and a crowd of them could keep the page's
 * alert busy.
 */
export class UnreadableFrames {
  readonly #notify: (peer: string, message: string) => void
  readonly #now: () => number
  readonly #toldAt = new Map<string, number>()
  /** frames that could not be read since the page started (diagnostics) */
  count = 0

  constructor (notify: (peer: string, message: string) => void, now: () => number = Date.now) {
    this.#notify = notify
    this.#now = now
  }

  /** A frame from `peer` could not be read; `open` says whether its conversation is on screen. */
  heard (peer: string, open: boolean): void {
    this.count++
    if (!open) return
    const now = this.#now()
    const last = this.#toldAt.get(peer)
    if (last != null && now - last < UNREADABLE_NOTICE_MS) return
    this.#toldAt.set(peer, now)
    this.#notify(peer, UNREADABLE_NOTICE)
  }
}
