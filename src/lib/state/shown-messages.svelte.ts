import { nextUpdate } from './cadence.ts'
import { MessageList } from './message-list.ts'
import type { StoredMessage } from '../store/index.ts'

/**
 * An open conversation's messages as the UI sees them, apart from the
 * working copy the thread changes in place: what arrives in a burst shows in
 * a few updates rather than one per message, each a copy the UI can diff.
 * The thread decides what changed; this decides when it shows.
 */
export class ShownMessages {
  /**
   * What the UI shows: a plain (not deeply reactive) array, replaced once per
   * task from `list`. A deep proxy made the message list reconcile every row
   * on each change of one message, which under a burst is quadratic.
   */
  #messages = $state.raw<StoredMessage[]>([])
  /** the working copy, in display order, changed in place */
  readonly list = new MessageList()
  #publishing = false
  #publishedAt = Number.NEGATIVE_INFINITY
  /** messages merged since the last update was shown, and how many that one showed */
  #changes = 0
  #shownChanges = 0

  get messages (): StoredMessage[] { return this.#messages }

  /** The list changed: `live` of its messages count towards a flood (a page of history does not). */
  changed (live: number): void {
    this.#changes += live
    this.#publish()
  }

  /**
   * Everything merged in this task shows in one update, still before the
   * browser paints. Under a burst, at most once per frame, and less often in
   * a flood (cadence.ts): each update copies the list and reconciles the rows
   * in view, and nobody sees more than a frame anyway.
   */
  #publish (): void {
    if (this.#publishing) return
    this.#publishing = true
    const show = (): void => {
      this.#publishing = false
      this.#publishedAt = performance.now()
      this.#shownChanges = this.#changes
      this.#changes = 0
      this.#messages = this.list.snapshot()
    }
    const when = nextUpdate(performance.now(), this.#publishedAt, this.#shownChanges)
    if (when === 'now') queueMicrotask(show)
    else if (when === 'frame') requestAnimationFrame(show)
    else setTimeout(show, when)
  }
}
