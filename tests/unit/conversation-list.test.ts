import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Conversation } from '../../src/lib/store/index.ts'

const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
const BOB = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBo'

/** One store, as two tabs of one browser profile share it. */
let stored: Conversation[] = []
const store = { conversations: { list: async () => stored.map(c => ({ ...c })) } }
const cleanup: Array<() => void> = []

/** The conversation list of a tab of its own: one that runs the node (and its messenger), or one waiting for it. */
async function tab (messenger: EventTarget | null): Promise<typeof import('../../src/lib/state/conversations.svelte.ts').conversations> {
  vi.resetModules()
  vi.doMock('../../src/lib/state/session.svelte.ts', () => ({
    session: {
      // a tab waiting for the node lock never gets a running node
      ready: async () => messenger != null ? { messenger } : await new Promise(() => {}),
      local: async () => ({ store })
    }
  }))
  const { conversations } = await import('../../src/lib/state/conversations.svelte.ts')
  cleanup.push(() => { conversations.stop() })
  return conversations
}

afterEach(() => {
  for (const fn of cleanup.splice(0)) fn()
  vi.doUnmock('../../src/lib/state/session.svelte.ts')
})

describe('conversation list: two tabs', () => {
  it('should show a tab waiting for the node the unread counts the running tab stores', async () => {
    stored = [{ peer: ALICE, createdAt: 1, unread: 0, nextSeq: 1 }]
    const messenger = new EventTarget()
    const running = await tab(messenger)
    // the running tab's session passes its messenger's news on to the other tabs
    const { tellOtherTabs } = await import('../../src/lib/state/tab-news.ts')
    cleanup.push(tellOtherTabs(messenger))
    const waiting = await tab(null)
    void running.watch()
    void waiting.watch()
    await vi.waitFor(() => { expect([running.loaded, waiting.loaded]).toEqual([true, true]) })
    // a message arrives in the running tab
    stored = [{ ...stored[0], unread: 1, lastMessageAt: 5, lastMessageText: 'hi', lastMessageDirection: 'in' }]
    messenger.dispatchEvent(new CustomEvent('conversations', { detail: { peer: ALICE } }))
    await vi.waitFor(() => { expect(running.unread).toBe(1) })
    await vi.waitFor(() => { expect(waiting.items[0]).toMatchObject({ unread: 1, lastMessageText: 'hi' }) })
  })
})

describe('conversation list: a blocked peer', () => {
  it('should leave a blocked conversation\'s unread messages out of the count for the badge', async () => {
    stored = [{ peer: ALICE, createdAt: 1, unread: 2, nextSeq: 1, blocked: true }, { peer: BOB, createdAt: 1, unread: 1, nextSeq: 1 }]
    const running = await tab(new EventTarget())
    void running.watch()
    await vi.waitFor(() => { expect(running.loaded).toBe(true) })
    expect(running.unread).toBe(1)
  })
})

