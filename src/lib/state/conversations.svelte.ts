import { coalesced } from './coalesce.ts'
import { session } from './session.svelte.ts'
import { hearOtherTabs } from './tab-news.ts'
import type { Conversation } from '../store/index.ts'

/** Changes within this long show together: the list is read once, not once per arriving message. */
export const LIST_REFRESH_MS = 100

/** The home page's list of conversations, most recent first. */
class Conversations {
  #items = $state<Conversation[]>([])
  #loaded = $state(false)
  #watching = false
  #stopHearing: (() => void) | undefined

  get items (): Conversation[] { return this.#items }
  get loaded (): boolean { return this.#loaded }
  /** unread messages over all conversations but blocked ones, for the app badge */
  get unread (): number { return this.#items.reduce((sum, c) => sum + (c.blocked === true ? 0 : c.unread), 0) }

  /**
   * Loads the list from the store at once (no network needed, so it shows
   * offline too) and keeps it current once the node runs.
   */
  async watch (): Promise<void> {
    await this.refresh()
    if (this.#watching) return
    this.#watching = true
    const refreshSoon = coalesced(async () => { await this.refresh() }, LIST_REFRESH_MS)
    // a tab waiting for the one that runs the node hears of changes from it (tab-news.ts)
    this.#stopHearing = hearOtherTabs(news => { if (news.type === 'list') refreshSoon() })
    const { messenger } = await session.ready()
    messenger.addEventListener('conversations', refreshSoon)
    // what arrived between the first load and the node starting
    await this.refresh()
  }

  /**
   * The relay a conversation was last reached through, as the loaded list
   * keeps it (`hint` undefined: none); undefined while the list is not loaded.
   */
  relayHintOf (peer: string): { hint: string | undefined } | undefined {
    if (!this.#loaded) return undefined
    return { hint: this.#items.find(c => c.peer === peer)?.relayHint }
  }

  /** Stops hearing other tabs (the page's own list stays as it is). */
  stop (): void {
    this.#stopHearing?.()
    this.#stopHearing = undefined
  }

  async refresh (): Promise<void> {
    const { store } = await session.local()
    this.#items = await store.conversations.list()
    this.#loaded = true
  }
}

export const conversations = new Conversations()
