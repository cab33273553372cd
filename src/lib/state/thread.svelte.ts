import type { LinkState } from '../p2p/connectivity.ts'
import { userIsLooking } from './attention.ts'
import { coalesced } from './coalesce.ts'
import { conversations } from './conversations.svelte.ts'
import { queueBeforeStart } from './early-send.ts'
import { session } from './session.svelte.ts'
import { ShownMessages } from './shown-messages.svelte.ts'
import { hearOtherTabs } from './tab-news.ts'
import { Typing } from './typing.svelte.ts'
import { StorageClosedError, withStatus, type Conversation, type Store, type StoredMessage } from '../store/index.ts'

export type { LinkState }

/** an arrival not yet marked read */
const unseen = (m: StoredMessage): boolean => m.direction === 'in' && m.status === 'delivered'

/** How many messages a conversation page loads; older ones stay in the store. */
export const HISTORY_PAGE = 2_000
/** Conversation changes (name, unread count) within this long are read back once. */
export const CONVERSATION_REFRESH_MS = 100
/** Arrivals within this window are marked read together: one transaction and one receipt frame. */
export const MARK_READ_DELAY_MS = 50

/**
 * One open conversation: its messages, kept in display order and updated in
 * place as messages arrive or change state, and the state of the link to the peer.
 */
export class Thread {
  readonly peer: string
  /** the messages in display order, and what the UI shows of them */
  readonly #shown = new ShownMessages()
  #conversation = $state<Conversation | undefined>()
  #link = $state<LinkState>('connecting')
  #loaded = $state(false)
  /** the store may hold messages older than the oldest loaded */
  #hasEarlier = $state(false)
  /** the older page being read from the store, if any (reactive: the log stays quiet meanwhile) */
  #loadingEarlier = $state<Promise<void> | undefined>()
  /**
   * The oldest message of the pages read from the store: the next page comes
   * before it. Not the oldest shown, which can be a late arrival from long
   * ago, with stored messages between it and the page.
   */
  #pageStart: StoredMessage | undefined
  #closed = false
  #problem = $state<string | null>(null)
  readonly #typing = new Typing()
  #cleanup: Array<() => void> = []
  #markReadTimer: ReturnType<typeof setTimeout> | undefined

  constructor (peer: string) {
    this.peer = peer
  }

  get messages (): StoredMessage[] { return this.#shown.messages }
  get conversation (): Conversation | undefined { return this.#conversation }
  get link (): LinkState { return this.#link }
  get loaded (): boolean { return this.#loaded }
  /** older messages than those loaded may be in the store: loadEarlier() brings the next page */
  get hasEarlier (): boolean { return this.#hasEarlier }
  /** an older page is being read from the store */
  get loadingEarlier (): boolean { return this.#loadingEarlier != null }
  /** the last thing that went wrong in this conversation, for the alert */
  get problem (): string | null { return this.#problem }
  /** the peer is typing right now */
  get peerTyping (): boolean { return this.#typing.peerTyping }
  /** the user blocked this peer: nothing of theirs comes in, nothing of ours goes out */
  get blocked (): boolean { return this.#conversation?.blocked === true }

  /**
   * Opens the conversation: loads history and, where the node runs, dials the
   * peer and marks messages read. A tab waiting for another shows what that
   * one stores (tab-news.ts), until the node runs here.
   */
  async open (relayHint?: string): Promise<void> {
    const { store } = await session.local()
    // left while the store opened: a subscription now would outlive the thread
    if (this.#closed) return
    this.#hearOtherTabs()
    // what is stored shows now; the node, which takes longer to start (or
    // starts here only once the other tab closes), joins it
    const stored = store.conversations.get(this.peer)
    stored.then(conversation => { this.#conversation ??= conversation }, (err: Error) => { this.#problem = err.message })
    this.#loadHistory(store).catch((err: Error) => { this.#problem = err.message })
    // read only: sending needs the node, which the other tab runs (the layout says so)
    if (!await session.runsHere()) this.#link = 'offline'
    this.#openLive(relayHint, stored).catch((err: Error) => {
      // a session that failed to start says so in the layout's alert already
      if (session.phase !== 'failed') this.#problem = err.message
    })
  }

  /** What the node's tab says changed, while that is another tab (late news of it, once the node runs here, is ignored). */
  #hearOtherTabs (): void {
    const reloadSoon = coalesced(async () => { await this.#reloadConversation() }, CONVERSATION_REFRESH_MS)
    this.#cleanup.push(hearOtherTabs(news => {
      if (session.phase === 'ready' || this.#closed) return
      if (news.type === 'list') reloadSoon()
      else if (news.peer === this.peer) this.#merge(news.messages)
    }))
  }

  /** The conversation where the node runs: live events and the dial, the history shown already. */
  async #openLive (relayHint: string | undefined, stored: Promise<Conversation | undefined>): Promise<void> {
    const { messenger, store } = await session.ready()
    // left while the node started: nothing to listen to or dial for
    if (this.#closed) return
    session.reading = this.peer
    // 'arriving' too: a new message shows while its write commits
    const onMessages = (evt: CustomEvent<{ peer: string, messages: StoredMessage[] }>): void => {
      if (evt.detail.peer === this.peer) this.#merge(evt.detail.messages)
    }
    const onWithdrawn = (evt: CustomEvent<{ peer: string, ids: string[] }>): void => {
      if (evt.detail.peer === this.peer && this.#shown.list.remove('in', evt.detail.ids)) this.#shown.changed(0)
    }
    const onLink = (): void => {
      this.#link = messenger.linkState(this.peer)
    }
    const reloadSoon = coalesced(async () => { await this.#reloadConversation() }, CONVERSATION_REFRESH_MS)
    const onConversation = (evt: CustomEvent<{ peer: string }>): void => {
      if (evt.detail.peer === this.peer) reloadSoon()
    }
    const onProblem = (evt: CustomEvent<{ peer?: string, message: string }>): void => {
      if (evt.detail.peer === this.peer) this.#problem = evt.detail.message
    }
    const onTyping = (evt: CustomEvent<{ peer: string, active: boolean }>): void => {
      if (evt.detail.peer === this.peer) this.#typing.heard(evt.detail.active)
    }
    messenger.addEventListener('typing', onTyping)
    messenger.addEventListener('messages', onMessages)
    messenger.addEventListener('arriving', onMessages)
    messenger.addEventListener('withdrawn', onWithdrawn)
    messenger.addEventListener('link', onLink)
    messenger.addEventListener('conversations', onConversation)
    messenger.addEventListener('problem', onProblem)
    this.#cleanup.push(() => {
      this.#typing.stop()
      messenger.removeEventListener('typing', onTyping)
      messenger.removeEventListener('problem', onProblem)
      messenger.removeEventListener('messages', onMessages)
      messenger.removeEventListener('arriving', onMessages)
      messenger.removeEventListener('withdrawn', onWithdrawn)
      messenger.removeEventListener('link', onLink)
      messenger.removeEventListener('conversations', onConversation)
      if (session.reading === this.peer) session.reading = null
    })
    const watch = (hint: string | undefined): void => {
      messenger.watch(this.peer, hint)
      this.#cleanup.push(() => { messenger.unwatch(this.peer) })
      onLink()
    }
    // the dial is the long pole of opening a link: it starts first, before the
    // conversation is stored, with the relay to try first: the link's, or the
    // one kept from an earlier visit, which the loaded conversation list has
    // at once, and the record read as the thread opened soon after. With the
    // list not loaded yet, a returning user's dial used to wait for the
    // conversation's write instead, and started only after the node's own
    // relay connection: 220 ms later, in 7 of 10 runs.
    const known = relayHint != null
      ? { hint: relayHint }
      : conversations.relayHintOf(this.peer) ?? await stored.then(conversation => ({ hint: conversation?.relayHint }), () => undefined)
    // left while the record was read: a watch now would outlive the thread
    if (this.#closed) return
    if (known != null) watch(known.hint)
    try {
      this.#conversation = await store.conversations.ensure(this.peer, relayHint != null ? { relayHint } : undefined)
    } catch (err) {
      // the conversation cannot be kept: the thread says so (a dial already started is no longer watched, so not retried)
      this.close()
      throw err
    }
    // left while the conversation was stored: a watch now would outlive the thread
    if (this.#closed) return
    // only when no relay was known to start with (no link hint, the list not
    // loaded and the record unreadable): the stored one, if any
    if (known == null) watch(this.#conversation.relayHint)
    // shown while the node started (or another tab ran it), and kept up with since: what arrived is read now
    await this.markRead()
  }

  async #loadHistory (store: Store): Promise<void> {
    const { messages, more } = await this.#page(store)
    // left already: nothing to show, and nothing was read
    if (this.#closed) return
    // a page of history is not a flood: what follows it shows at once
    this.#merge(messages, false)
    this.#pageStart = messages[0]
    this.#hasEarlier = more
    this.#loaded = true
    await this.markRead()
  }

  /** Loads the page of messages before the oldest loaded one (a long thread, scrolled up to its start). */
  async loadEarlier (): Promise<void> {
    this.#loadingEarlier ??= (async () => {
      const oldest = this.#pageStart
      if (!this.#hasEarlier || oldest == null) return
      const { store } = await session.local()
      const { messages, more } = await this.#page(store, oldest)
      if (this.#closed) return
      this.#pageStart = messages[0] ?? oldest
      this.#shown.list.prepend(messages)
      this.#changed(messages, false)
      this.#hasEarlier = more
    })().catch((err: Error) => { this.#problem = err.message }).finally(() => { this.#loadingEarlier = undefined })
    await this.#loadingEarlier
  }

  close (): void {
    this.#closed = true
    clearTimeout(this.#markReadTimer)
    for (const fn of this.#cleanup.splice(0)) fn()
  }

  async send (text: string): Promise<void> {
    this.#typing.sent()
    if (session.phase === 'starting') {
      // shown as queued now, not once the node runs
      this.#merge([await queueBeforeStart(this.peer, text)])
    } else {
      // Handed over in this task when the node runs (no await first): the
      // message's write and frame are then queued ahead of the page's update
      // for the emptied field (see Composer), not behind it
      const { messenger } = session.running ?? await session.ready()
      await messenger.send(this.peer, text)
    }
    // stored and on its way: whatever went wrong before (a full disk, a failed flush) is behind us
    this.#problem = null
  }

  /** Marks what has arrived as read (and tells the peer, if read receipts are on), when the user can see it. */
  async markRead (): Promise<void> {
    // only the tab that runs the node can tell the peer; the other tabs leave it to that one
    if (!userIsLooking() || session.phase !== 'ready') return
    try {
      const { messenger } = await session.ready()
      if ((this.#conversation?.unread ?? 0) > 0 || this.#shown.list.some(unseen)) {
        await messenger.markRead(this.peer)
        // the rows held say so too, or each later look would mark them again
        this.#merge(this.#shown.list.snapshot().filter(unseen).map(m => withStatus(m, 'read')), false)
        await this.#reloadConversation()
      }
    } catch (err) {
      // called without waiting (a timer, the tab shown again): the thread says
      // what went wrong, unless another tab took over, which the page says already
      if ((err as Error).name !== StorageClosedError.NAME) this.#problem = (err as Error).message
    }
  }

  /** Blocks or unblocks the peer; only where the node runs, which holds the list its gater reads. */
  async setBlocked (blocked: boolean): Promise<void> {
    const { messenger } = await session.ready()
    await messenger.setBlocked(this.peer, blocked)
    this.#typing.heard(false)
    await this.#reloadConversation()
  }

  /** Tells the peer we are typing, once the text stands a moment; throttled, and best effort. */
  typing (active: boolean): void {
    this.#typing.typed(active, told => {
      if (this.#closed) return
      session.ready().then(({ messenger }) => { messenger.sendTyping(this.peer, told) }, () => {})
    })
  }

  async #reloadConversation (): Promise<void> {
    const { store } = await session.local()
    this.#conversation = await store.conversations.get(this.peer)
  }

  /** The newest HISTORY_PAGE messages (before `before`), and whether the store holds older ones. */
  async #page (store: Store, before?: StoredMessage): Promise<{ messages: StoredMessage[], more: boolean }> {
    // one more than a page asked for, to know whether there is another
    const page = await store.messages.list(this.peer, { limit: HISTORY_PAGE + 1, ...(before != null ? { before } : {}) })
    const more = page.length > HISTORY_PAGE
    return { messages: more ? page.slice(1) : page, more }
  }

  #merge (incoming: StoredMessage[], live = true): void {
    if (this.#shown.list.merge(incoming)) this.#changed(incoming, live)
  }

  /** Shows what changed, and marks arrivals read soon. */
  #changed (messages: readonly StoredMessage[], live: boolean): void {
    this.#shown.changed(live ? messages.length : 0)
    if (messages.some(m => m.direction === 'in' && m.status === 'delivered')) this.#markReadSoon()
  }

  /** A burst of arrivals is marked read once, not once per batch. */
  #markReadSoon (): void {
    if (this.#markReadTimer != null) return
    this.#markReadTimer = setTimeout(() => {
      this.#markReadTimer = undefined
      void this.markRead()
    }, MARK_READ_DELAY_MS)
  }
}
