/**
 * What the benchmark sees of the app from outside, the way a user would:
 * an init script records, in page time (ms since navigation start), when the
 * header first says the relay reservation is held, when "Connection" first
 * says Direct, when an own message is first shown delivered, and when each
 * incoming message is first rendered (by its text) and when the write that
 * stored it committed. For single messages it also sees the steps between
 * (outAt, frameInAt, inWriteAt): IndexedDB writes asked for and committed,
 * and frames handed to or arriving from a data channel. It runs in the page,
 * so no round trip to the driver skews the times.
 */

export interface Observed {
  /** the conversation's message field is in the document */
  composer?: number
  /** `autoSend`'s message went out (Enter in an enabled composer) */
  sent?: number
  reserved?: number
  direct?: number
  delivered?: number
  /** epoch ms (system clock, see installObserver) per incoming text, while `trackTexts` is on */
  inAt: Record<string, number>
  /** the same, for when the transaction that stored it committed */
  storedAt: Record<string, number>
  /** epoch ms per incoming text: when the app asked IndexedDB to store it */
  inWriteAt: Record<string, number>
  /** the same: when the last data channel message before that write arrived (its frame) */
  frameInAt: Record<string, number>
  /** epoch ms per own text: its write asked for, committed, and the first frame handed to a data channel after its Enter */
  outAt: Record<string, { write?: number, stored?: number, frame?: number }>
  trackTexts: boolean
  /**
   * A long thread keeps only its newest rows in the document, so a burst is
   * followed by its last message: when its row first showed on the receiver
   * (`markIn`), and first showed delivered or read on the sender (`markDelivered`).
   */
  mark?: string
  markIn?: number
  markDelivered?: number
}

declare global {
  interface Window {
    __benchObserved?: Observed
    /** sets the page's clock again (see installObserver) and returns what page time is added to */
    __benchClock?: () => number
    /**
     * Resolves with what `test` returns once that is not undefined, tested
     * now and each time the observer records something; `key` is in
     * `__benchWaiting` meanwhile. Armed before a timed step, it lets the
     * driver wait without sending the page anything while the step runs.
     */
    __benchUntil?: <T>(key: string, test: () => T | undefined) => Promise<T>
    __benchWaiting?: ReadonlyMap<string, unknown>
  }
}

/**
 * Passed to page.addInitScript: self-contained, it is serialized into the
 * page. With `autoSend`, it also plays a user who types that message the
 * moment the conversation's composer can send, from inside the page: the
 * driver, a round trip away, reacted 250 to 800 ms late while the page was busy dialing.
 */
export function installObserver (autoSend?: string): void {
  const seen: Observed = { inAt: {}, storedAt: {}, inWriteAt: {}, frameInAt: {}, outAt: {}, trackTexts: true }
  // Page time to system-clock ms. performance.timeOrigin alone is the system
  // clock when the page began, and the system clock can be slewed against
  // the monotonic one after that: two browsers begun seconds apart disagreed
  // by 9 ms, and a single message measured 1 ms. So the driver sets each
  // page's clock again before a timed step, read where Date.now() ticks over,
  // which knows the system clock to well under its 1 ms step. Never on its
  // own: the spin would land in the time to talk.
  let base = performance.timeOrigin
  window.__benchClock = () => {
    const from = Date.now()
    let now = from
    while (now === from) now = Date.now()
    base = now - performance.now()
    return base
  }
  const epoch = (): number => base + performance.now()
  const waiting = new Map<string, () => boolean>()
  window.__benchWaiting = waiting
  const recorded = (): void => {
    for (const [key, done] of waiting) if (done()) waiting.delete(key)
  }
  window.__benchUntil = async <T>(key: string, test: () => T | undefined): Promise<T> => await new Promise<T>(resolve => {
    const done = (): boolean => {
      const value = test()
      if (value === undefined) return false
      resolve(value)
      return true
    }
    if (!done()) waiting.set(key, done)
  })
  // when a message's write commits, seen on the way to IndexedDB: the figure
  // does not rely on the app rendering only what it has stored. Heard first,
  // before the app's own listener, whose follow-up work would delay this one.
  const onCommit = new WeakMap<IDBTransaction, Array<(at: number) => void>>()
  const transaction = IDBDatabase.prototype.transaction
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const tx = transaction.apply(this, args)
    const onDone: Array<(at: number) => void> = []
    onCommit.set(tx, onDone)
    tx.addEventListener('complete', () => {
      const at = epoch()
      for (const f of onDone) f(at)
      if (onDone.length > 0) recorded()
    })
    return tx
  }
  // a data channel message's arrival, as the page gets to it
  let lastArrival: number | undefined
  const handler = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')
  Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
    ...handler,
    set (this: RTCDataChannel, listener: ((evt: MessageEvent) => unknown) | null) {
      handler?.set?.call(this, listener == null ? null : (evt: MessageEvent) => { lastArrival = epoch(); return listener.call(this, evt) })
    }
  })
  // the first frame after Enter is that message (single messages are sent one at a time, pages idle);
  // it may go out before the message's write is asked for, or after
  let awaitingFrame: string | undefined
  addEventListener('keydown', evt => {
    if (seen.trackTexts && evt.key === 'Enter' && evt.target instanceof HTMLTextAreaElement) awaitingFrame = evt.target.value.trim()
  }, { capture: true })
  const add = IDBObjectStore.prototype.add
  IDBObjectStore.prototype.add = function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
    const request = add.call(this, value, key)
    if (seen.trackTexts && typeof value?.text === 'string') {
      const text: string = value.text
      if (value.direction === 'in') {
        seen.inWriteAt[text] = epoch()
        if (lastArrival != null) seen.frameInAt[text] = lastArrival
        onCommit.get(this.transaction)?.push(at => { seen.storedAt[text] = at })
      } else if (value.direction === 'out') {
        const steps = seen.outAt[text] ??= {}
        steps.write = epoch()
        onCommit.get(this.transaction)?.push(at => { steps.stored = at })
      }
    }
    return request
  }
  const send = RTCDataChannel.prototype.send
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: any) {
    if (awaitingFrame != null) {
      (seen.outAt[awaitingFrame] ??= {}).frame = epoch()
      awaitingFrame = undefined
    }
    send.call(this, data)
  }
  const autoSendNow = (now: number): void => {
    const field = document.getElementById('composer-text') as HTMLTextAreaElement | null
    if (autoSend == null || seen.sent != null || field == null) return
    if (field.value !== autoSend) {
      field.value = autoSend
      field.dispatchEvent(new Event('input', { bubbles: true }))
      // the Send button says whether it can go, once the app has seen the text
      return
    }
    const button = field.form?.querySelector('button[type="submit"]') as HTMLButtonElement | null
    if (button == null || button.disabled) return
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    seen.sent = now
  }
  const textOf = (el: Element): string => el.querySelector('.text')?.textContent ?? ''
  window.__benchObserved = seen
  const check = (records: MutationRecord[]): void => {
    const now = performance.now()
    seen.reserved ??= document.querySelector('[data-relay="reserved"]') != null ? now : undefined
    seen.composer ??= document.getElementById('composer-text') != null ? now : undefined
    autoSendNow(now)
    if (seen.direct == null) {
      const status = document.querySelector('[aria-labelledby="connection-label"]')
      if (status?.textContent === 'Direct') seen.direct = now
    }
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-status') {
        const el = r.target as Element
        const status = el.getAttribute('data-status')
        if (el.matches('li.out') && (status === 'delivered' || status === 'read') && r.oldValue !== 'delivered' && r.oldValue !== 'read') {
          seen.delivered ??= now
          if (seen.mark != null && textOf(el) === seen.mark) seen.markDelivered ??= now
        }
      }
      for (const node of r.addedNodes) {
        if (!(node instanceof HTMLElement)) continue
        // a row can come in delivered already, when its ack arrived within the same frame
        if (seen.mark != null && node.matches('li.out') && /^(delivered|read)$/.test(node.getAttribute('data-status') ?? '') && textOf(node) === seen.mark) seen.markDelivered ??= now
        if (!node.matches('li.in')) continue
        if (seen.mark != null && textOf(node) === seen.mark) seen.markIn ??= now
        if (seen.trackTexts) seen.inAt[textOf(node)] = base + now
      }
    }
    recorded()
  }
  const start = (): void => {
    new MutationObserver(check).observe(document.documentElement, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-relay', 'data-status', 'disabled']
    })
  }
  if (document.documentElement != null) start()
  else document.addEventListener('readystatechange', start, { once: true })
}
