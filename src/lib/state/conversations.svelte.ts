import { session } from './session.svelte.ts'
import type { Conversation } from '../store/index.ts'

/** The home page's list of conversations, most recent first. */
class Conversations {
  #items = $state<Conversation[]>([])
  #loaded = $state(false)
  #watching = false

  get items (): Conversation[] { return this.#items }
  get loaded (): boolean { return this.#loaded }

  /** Loads the list and keeps it current. */
  async watch (): Promise<void> {
    const { messenger } = await session.ready()
    if (!this.#watching) {
      this.#watching = true
      messenger.addEventListener('conversations', () => { void this.refresh() })
    }
    await this.refresh()
  }

  async refresh (): Promise<void> {
    const { store } = await session.ready()
    this.#items = await store.conversations.list()
    this.#loaded = true
  }
}

export const conversations = new Conversations()
