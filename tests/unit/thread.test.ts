import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openStore, type Conversation, type IncomingMessage, type Store } from '../../src/lib/store/index.ts'

const PEER = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'

// the thread reaches the store and the messenger through the session; here, a store of its own,
// in a tab that runs the node unless a test says another tab does (`here`)
// (`phase` set: what it is, whatever `here` says)
const fake = vi.hoisted(() => ({
  store: undefined as unknown,
  messenger: undefined as unknown,
  here: true,
  phase: undefined as string | undefined,
  /** a node that has not started yet (or, in a tab waiting for another, until that tab closes): ready() waits until this settles */
  started: undefined as Promise<unknown> | undefined,
  /** the store still opening: local() waits until this settles */
  opening: undefined as Promise<unknown> | undefined,
  /** the thread's subscriptions to other tabs' news not stopped yet */
  hearing: 0
}))
vi.mock('../../src/lib/state/session.svelte.ts', () => ({
  session: {
    reading: null,
    get phase () { return fake.phase ?? (fake.here ? 'ready' : 'standby') },
    runsHere: async () => fake.here,
    ready: async () => await (fake.started ?? (fake.here ? fake : new Promise(() => {}))),
    local: async () => { await fake.opening; return fake }
  }
}))
vi.mock('../../src/lib/state/tab-news.ts', async (original) => {
  const actual = await original<typeof import('../../src/lib/state/tab-news.ts')>()
  return {
    ...actual,
    hearOtherTabs: (onNews: Parameters<typeof actual.hearOtherTabs>[0]) => {
      fake.hearing++
      const stop = actual.hearOtherTabs(onNews)
      return () => { fake.hearing--; stop() }
    }
  }
})
vi.mock('../../src/lib/state/conversations.svelte.ts', () => ({ conversations: { relayHintOf: () => undefined, refresh: async () => {} } }))
const { Thread, HISTORY_PAGE } = await import('../../src/lib/state/thread.svelte.ts')
const { TAB_CHANNEL } = await import('../../src/lib/state/tab-news.ts')

let dbCounter = 0
let opened: { thread: InstanceType<typeof Thread>, store: Store } | undefined

function messageId (n: number): string {
  return n.toString(16).padStart(32, '0')
}

function incoming (n: number, sentAt: number, text = `m${n}`): IncomingMessage {
  return { id: messageId(n), text, sentAt, seq: n }
}

/** A thread opened on `store` (its history loaded, and `problem` what it says went wrong), and the messenger it listens to. */
async function openThread (store: Store, problem?: string): Promise<{ thread: InstanceType<typeof Thread>, messenger: EventTarget }> {
  vi.stubGlobal('document', { visibilityState: 'hidden' })
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => setTimeout(cb, 0))
  const messenger = Object.assign(new EventTarget(), { watch () {}, unwatch () {}, linkState: () => 'direct', markRead: async () => {} })
  Object.assign(fake, { store, messenger })
  const thread = new Thread(PEER)
  opened = { thread, store }
  await thread.open()
  // a page of history in fake-indexeddb takes a while
  await vi.waitFor(() => { expect([thread.loaded, thread.problem]).toEqual([true, problem ?? null]) }, { timeout: 20_000 })
  return { thread, messenger }
}

afterEach(() => {
  fake.here = true
  fake.phase = undefined
  fake.started = undefined
  fake.opening = undefined
  opened?.thread.close()
  opened?.store.close()
  opened = undefined
  vi.unstubAllGlobals()
})

describe('thread: a conversation longer than one page', () => {
  it('should show every stored message once scrolled to the start, also after a late arrival older than the page', async () => {
    const options = { unread: false, now: 1 }
    const store = await openStore({ name: `thread-${++dbCounter}` })
    await store.messages.saveIncomingMany(PEER, [incoming(1, 100, 'oldest'), incoming(2, 200, 'second oldest')], options)
    for (let i = 0; i < HISTORY_PAGE; i += 500) {
      await store.messages.saveIncomingMany(PEER, Array.from({ length: 500 }, (_, k) => incoming(1000 + i + k, 1000 + i + k)), options)
    }
    const { thread, messenger } = await openThread(store)
    expect(thread.messages).toHaveLength(HISTORY_PAGE)
    expect(thread.hasEarlier).toBe(true)
    // a message the peer queued long ago arrives now: older than the whole page
    const [late] = await store.messages.saveIncomingMany(PEER, [incoming(3, 150, 'late')], options)
    messenger.dispatchEvent(new CustomEvent('messages', { detail: { peer: PEER, messages: [late.message] } }))
    await vi.waitFor(() => { expect(thread.messages[0].text).toBe('late') })
    while (thread.hasEarlier) await thread.loadEarlier()
    const texts = thread.messages.map(m => m.text)
    expect(texts.slice(0, 3)).toEqual(['oldest', 'late', 'second oldest'])
    expect(texts).toHaveLength(HISTORY_PAGE + 3)
  }, 30_000)
})

describe('thread: a message shown while its write commits', () => {
  it('should show an arriving message at once, and take it back when its write fails', async () => {
    const store = await openStore({ name: `thread-${++dbCounter}` })
    await store.messages.saveIncomingMany(PEER, [incoming(1, 100, 'stored before')], { unread: false, now: 1 })
    const { thread, messenger } = await openThread(store)
    const arriving = { peer: PEER, direction: 'in' as const, id: messageId(2), text: 'on its way', sentAt: 200, storedAt: 2, seq: 2, status: 'read' as const }
    messenger.dispatchEvent(new CustomEvent('arriving', { detail: { peer: PEER, messages: [arriving] } }))
    await vi.waitFor(() => { expect(thread.messages.map(m => m.text)).toEqual(['stored before', 'on its way']) })
    // news of another conversation's failed write takes nothing from this one
    messenger.dispatchEvent(new CustomEvent('withdrawn', { detail: { peer: '12D3KooWSomeoneElseSomeoneElseSomeoneElseSomeoneEls', ids: [arriving.id] } }))
    messenger.dispatchEvent(new CustomEvent('withdrawn', { detail: { peer: PEER, ids: [arriving.id] } }))
    await vi.waitFor(() => { expect(thread.messages.map(m => m.text)).toEqual(['stored before']) })
  })
})

describe('thread: in a tab waiting for the one that runs the node', () => {
  it('should show the stored history, and what the other tab stores afterwards', async () => {
    fake.here = false
    const store = await openStore({ name: `thread-${++dbCounter}` })
    await store.messages.saveIncomingMany(PEER, [incoming(1, 100, 'stored before')], { unread: false, now: 1 })
    const { thread } = await openThread(store)
    expect(thread.messages.map(m => m.text)).toEqual(['stored before'])
    expect(thread.link).toBe('offline')
    // the other tab stores a message and says so on the tab channel
    const [later] = await store.messages.saveIncomingMany(PEER, [incoming(2, 200, 'stored by the other tab')], { unread: true, now: 2 })
    const otherTab = new BroadcastChannel(TAB_CHANNEL)
    otherTab.postMessage({ type: 'messages', peer: PEER, messages: [later.message] })
    otherTab.postMessage({ type: 'messages', peer: '12D3KooWSomeoneElseSomeoneElseSomeoneElseSomeoneEls', messages: [{ ...later.message, id: messageId(3) }] })
    otherTab.close()
    await vi.waitFor(() => { expect(thread.messages.map(m => m.text)).toEqual(['stored before', 'stored by the other tab']) })
  })
})

describe('thread: sent while the node is starting here', () => {
  it('should show the message as queued at once, and have the node go through the outbox once it runs', async () => {
    fake.here = false
    const store = await openStore({ name: `thread-${++dbCounter}` })
    const { thread } = await openThread(store)
    // the tab that ran the node closed: this one starts it, which takes a while
    const start = Promise.withResolvers<unknown>()
    fake.phase = 'starting'
    fake.started = start.promise
    await thread.send('typed as it started')
    await vi.waitFor(() => { expect(thread.messages.map(m => [m.text, m.status])).toEqual([['typed as it started', 'queued']]) })
    expect((await store.messages.outbox(PEER)).map(m => m.text)).toEqual(['typed as it started'])
    // the node runs: it sends what is in the outbox
    const flushed: string[] = []
    const messenger = Object.assign(new EventTarget(), { watch () {}, unwatch () {}, linkState: () => 'direct', delivery: { flushSoon: (peer: string) => { flushed.push(peer) } } })
    fake.phase = 'ready'
    start.resolve({ store, messenger })
    await vi.waitFor(() => { expect(flushed).toEqual([PEER]) })
  })
})

/** What a store that cannot read a conversation's record says. */
const UNREADABLE = 'the record cannot be read'

/** How the thread's read of the conversation's record, as it opens, goes. */
interface OpenOptions {
  /** a conversation of an earlier visit */
  stored?: { relayHint: string }
  /** in place of the store's read of the record */
  read?: () => Promise<Conversation | undefined>
  /** what the thread then says went wrong */
  problem?: string
}

/** A thread opened while this tab's node starts; `run` starts the node, with `store` as its store. */
async function openWhileStarting ({ stored, read, problem }: OpenOptions = {}): Promise<{ thread: InstanceType<typeof Thread>, store: Store, run: (store: Store) => void, watching: Map<string, string | undefined>, listening: string[] }> {
  const start = Promise.withResolvers<unknown>()
  fake.phase = 'starting'
  fake.started = start.promise
  const store = await openStore({ name: `thread-${++dbCounter}` })
  if (stored != null) await store.conversations.ensure(PEER, stored)
  if (read != null) store.conversations.get = read
  const { thread } = await openThread(store, problem)
  // each watched peer, with the relay it is to be dialed through first
  const watching = new Map<string, string | undefined>()
  const listening: string[] = []
  const messenger = Object.assign(new EventTarget(), {
    watch (peer: string, relayHint?: string) { watching.set(peer, relayHint) },
    unwatch (peer: string) { watching.delete(peer) },
    linkState: () => 'direct',
    addEventListener (type: string) { listening.push(type) }
  })
  const run = (running: Store): void => {
    fake.phase = 'ready'
    start.resolve({ store: running, messenger })
  }
  return { thread, store, run, watching, listening }
}

/** Gives what the node's start set off time to happen (or not). */
async function settle (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 50))
}

describe('thread: closed while the node starts here', () => {
  it('should neither listen nor dial once the node runs', async () => {
    const { thread, store, run, watching, listening } = await openWhileStarting()
    thread.close()
    run(store)
    await settle()
    expect([[...watching], listening]).toEqual([[], []])
    const { session } = await import('../../src/lib/state/session.svelte.ts')
    expect(session.reading).toBe(null)
  })
})

describe("thread: a returning user's link, opened while the node starts", () => {
  it('should dial through the relay kept from the earlier visit at once, not once the conversation is stored', async () => {
    const relayHint = '/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayRela'
    const { store, run, watching } = await openWhileStarting({ stored: { relayHint } })
    // the conversation's write, which the node's start can hold up, never ends here
    const conversations = { ...store.conversations, ensure: async () => await new Promise<never>(() => {}) }
    run({ ...store, conversations } as Store)
    await vi.waitFor(() => { expect([...watching]).toEqual([[PEER, relayHint]]) })
  })
})

describe('thread: closed while the record of its conversation is being read', () => {
  it('should leave no peer watched', async () => {
    // the record read as the thread opened comes only once the thread is closed
    const record = Promise.withResolvers<Conversation | undefined>()
    const { thread, store, run, watching } = await openWhileStarting({ read: async () => await record.promise })
    run(store)
    await settle()
    thread.close()
    record.resolve(undefined)
    await settle()
    expect([...watching]).toEqual([])
  })
})

describe('thread: closed while its conversation is being stored', () => {
  // only a record that could not be read has the dial wait for the write: the
  // relay kept from an earlier visit is known only once it is stored
  it('should leave no peer watched', async () => {
    const { thread, store, run, watching } = await openWhileStarting({ read: async () => { throw new Error(UNREADABLE) }, problem: UNREADABLE })
    // the store the node runs with, its conversation record held back until the thread is closed
    const ensured = Promise.withResolvers<unknown>()
    let ensuring = false
    const conversations = { ...store.conversations, ensure: async () => { ensuring = true; return await ensured.promise } }
    run({ ...store, conversations } as Store)
    await vi.waitFor(() => { expect(ensuring).toBe(true) })
    thread.close()
    ensured.resolve({ peer: PEER, relayHint: '/ip4/127.0.0.1/tcp/1/ws' })
    await settle()
    expect([...watching]).toEqual([])
  })
})

describe('thread: closed while the store opens', () => {
  it('should not keep hearing the other tabs', async () => {
    const store = await openStore({ name: `thread-${++dbCounter}` })
    Object.assign(fake, { store })
    const opening = Promise.withResolvers<void>()
    fake.opening = opening.promise
    const thread = new Thread(PEER)
    opened = { thread, store }
    const hearing = fake.hearing
    const open = thread.open()
    thread.close()
    opening.resolve()
    await open
    await settle()
    expect(fake.hearing).toBe(hearing)
  })
})
