import { compareMessages, statusRank, type StoredMessage } from '../store/index.ts'

/**
 * One conversation's messages in display order (compareMessages), each once,
 * changed in place as messages arrive or move on in state. Pure: the view
 * sees a copy when ShownMessages decides.
 */
export class MessageList {
  readonly #list: StoredMessage[] = []
  /**
   * Where each message sits in #list, by direction and id (ids are unique per
   * direction), so updates do not scan the list. The record's own id string
   * is the key: a key built per lookup cost an allocation and a hash for
   * every one of the three updates a message of a burst gets.
   */
  readonly #index = { in: new Map<string, number>(), out: new Map<string, number>() }

  get length (): number { return this.#list.length }
  /** the oldest message held */
  get first (): StoredMessage | undefined { return this.#list[0] }

  /** A copy in display order, for a view that must not see later changes. */
  snapshot (): StoredMessage[] { return this.#list.slice() }

  some (predicate: (message: StoredMessage) => boolean): boolean { return this.#list.some(predicate) }

  /**
   * Adds new messages where they belong and replaces known ones with a later
   * state of themselves; false when that changed nothing (the same records
   * again: an arriving message, once it is stored).
   */
  merge (incoming: readonly StoredMessage[]): boolean {
    const list = this.#list
    let changed = false
    for (const m of incoming) {
      const index = this.#index[m.direction]
      const at = index.get(m.id)
      if (at != null && list[at]?.id === m.id) {
        // states only move forward: news of an earlier one that comes late changes nothing
        if (list[at] !== m && statusRank(m.status) >= statusRank(list[at].status)) {
          list[at] = m
          changed = true
        }
        continue
      }
      changed = true
      // new messages nearly always belong at the end: append, else binary-insert
      const last = list[list.length - 1]
      if (last == null || compareMessages(last, m) < 0) {
        list.push(m)
        index.set(m.id, list.length - 1)
        continue
      }
      let lo = 0
      let hi = list.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (compareMessages(list[mid], m) < 0) lo = mid + 1
        else hi = mid
      }
      list.splice(lo, 0, m)
      this.#reindex(lo)
    }
    return changed
  }

  /** Takes messages out (ones shown while their write committed, which failed); false when none was held. */
  remove (direction: StoredMessage['direction'], ids: readonly string[]): boolean {
    const gone = new Set(ids.filter(id => this.#index[direction].has(id)))
    if (gone.size === 0) return false
    const list = this.#list
    let kept = 0
    for (const m of list) if (m.direction !== direction || !gone.has(m.id)) list[kept++] = m
    list.length = kept
    for (const id of gone) this.#index[direction].delete(id)
    this.#reindex(0)
    return true
  }

  /**
   * An older page, in display order (a long thread scrolled up to its start):
   * in front of the list in one go, not binary-inserted one by one. A page
   * that is not wholly older, or repeats a message held, is merged instead.
   */
  prepend (older: readonly StoredMessage[]): void {
    const first = this.#list[0]
    const fresh = older.every(m => !this.#index[m.direction].has(m.id))
    if (first == null || older.length === 0 || !fresh || !isOrdered(older) || compareMessages(older[older.length - 1], first) >= 0) {
      this.merge(older)
      return
    }
    this.#list.unshift(...older)
    this.#reindex(0)
  }

  /** positions from `from` on moved after an insert */
  #reindex (from: number): void {
    for (let i = from; i < this.#list.length; i++) {
      const m = this.#list[i]
      this.#index[m.direction].set(m.id, i)
    }
  }
}

function isOrdered (messages: readonly StoredMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) {
    if (compareMessages(messages[i - 1], messages[i]) >= 0) return false
  }
  return true
}
