import { peerIdFromString } from '@libp2p/peer-id'
import { linkState, type LinkState } from '../p2p/connectivity.ts'
import { session } from './session.svelte.ts'
import { compareMessages, type Conversation, type StoredMessage } from '../store/index.ts'

export type { LinkState }

/** How many messages a conversation page loads; older ones stay in the store. */
export const HISTORY_PAGE = 500

function key (m: StoredMessage): string {
  return `${m.direction}:${m.id}`
}

/**
 * One open conversation: its messages, kept in display order and updated in
 * place as messages arrive or change state, and the state of the link to the peer.
 */
export class Thread {
  readonly peer: string
  #messages = $state<StoredMessage[]>([])
  #conversation = $state<Conversation | undefined>()
  #link = $state<LinkState>('connecting')
  #loaded = $state(false)
  #problem = $state<string | null>(null)
  #cleanup: Array<() => void> = []

  constructor (peer: string) {
    this.peer = peer
  }

  get messages (): StoredMessage[] { return this.#messages }
  get conversation (): Conversation | undefined { return this.#conversation }
  get link (): LinkState { return this.#link }
  get loaded (): boolean { return this.#loaded }
  /** the last thing that went wrong in this conversation, for the alert */
  get problem (): string | null { return this.#problem }

  /** Opens the conversation: loads history, dials the peer, marks messages read. */
  async open (relayHint?: string): Promise<void> {
    const { store, messenger, node } = await session.ready()
    const peerId = peerIdFromString(this.peer)
    session.reading = this.peer
    const onMessages = (evt: CustomEvent<{ peer: string, messages: StoredMessage[] }>): void => {
      if (evt.detail.peer === this.peer) this.#merge(evt.detail.messages)
    }
    const onLink = (): void => {
      this.#link = linkState(node, peerId, messenger.isDialing(this.peer))
    }
    const onConversation = (evt: CustomEvent<{ peer: string }>): void => {
      if (evt.detail.peer === this.peer) void this.#reloadConversation()
    }
    const onProblem = (evt: CustomEvent<{ peer?: string, message: string }>): void => {
      if (evt.detail.peer === this.peer) this.#problem = evt.detail.message
    }
    messenger.addEventListener('messages', onMessages)
    messenger.addEventListener('link', onLink)
    messenger.addEventListener('conversations', onConversation)
    messenger.addEventListener('problem', onProblem)
    this.#cleanup.push(() => {
      messenger.removeEventListener('problem', onProblem)
      messenger.removeEventListener('messages', onMessages)
      messenger.removeEventListener('link', onLink)
      messenger.removeEventListener('conversations', onConversation)
      if (session.reading === this.peer) session.reading = null
    })
    await store.conversations.ensure(this.peer, relayHint != null ? { relayHint } : undefined)
    await this.#reloadConversation()
    this.#merge(await store.messages.list(this.peer, { limit: HISTORY_PAGE }))
    this.#loaded = true
    await this.markRead()
    onLink()
    void messenger.connect(this.peer, relayHint ?? this.#conversation?.relayHint)
  }

  close (): void {
    for (const fn of this.#cleanup.splice(0)) fn()
  }

  async send (text: string): Promise<void> {
    const { messenger } = await session.ready()
    await messenger.send(this.peer, text)
  }

  /** Marks what has arrived as read, when the user can see it. */
  async markRead (): Promise<void> {
    if (document.visibilityState !== 'visible') return
    const { store } = await session.ready()
    if ((this.#conversation?.unread ?? 0) > 0 || this.#messages.some(m => m.direction === 'in' && m.status === 'delivered')) {
      await store.conversations.markRead(this.peer)
      await this.#reloadConversation()
    }
  }

  async #reloadConversation (): Promise<void> {
    const { store } = await session.ready()
    this.#conversation = await store.conversations.get(this.peer)
  }

  #merge (incoming: StoredMessage[]): void {
    const byKey = new Map(this.#messages.map(m => [key(m), m]))
    for (const m of incoming) byKey.set(key(m), m)
    this.#messages = [...byKey.values()].sort(compareMessages)
    if (incoming.some(m => m.direction === 'in' && m.status === 'delivered')) void this.markRead()
  }
}
