import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation, StoredMessage } from '../../src/lib/store/index.ts'

const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
const BOB = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBo'
const CAROL = '12D3KooWCarolCarolCarolCarolCarolCarolCarolCarolCar'

/** What the notifications reach through the session and the service worker, made here. */
const fake = vi.hoisted(() => ({
  conversations: [] as Conversation[],
  messenger: new EventTarget(),
  reading: null as string | null,
  registration: null as unknown
}))
vi.mock('$app/navigation', () => ({ goto: async () => {} }))
vi.mock('../../src/lib/state/app-worker.svelte.ts', () => ({ appWorker: { get registration () { return fake.registration } } }))
vi.mock('../../src/lib/state/session.svelte.ts', () => {
  const store = {
    conversations: {
      get: async (peer: string) => fake.conversations.find(c => c.peer === peer),
      list: async () => fake.conversations
    }
  }
  return {
    session: {
      get reading () { return fake.reading },
      ready: async () => ({ store, messenger: fake.messenger }),
      local: async () => ({ store })
    }
  }
})

interface Shown { title: string, options: NotificationOptions, closed: boolean }

/** A service worker registration that keeps what it shows, as the platform's notification tray would. */
function tray (): { shown: Shown[], asked: () => number } {
  const shown: Shown[] = []
  let asked = 0
  fake.registration = {
    active: {},
    showNotification: async (title: string, options: NotificationOptions) => {
      // a notification with the tag of one on show replaces it
      for (const s of shown) if (s.options.tag === options.tag) s.closed = true
      shown.push({ title, options, closed: false })
    },
    getNotifications: async (filter?: { tag?: string }) => {
      asked++
      return shown
        .filter(s => !s.closed && (filter?.tag == null || s.options.tag === filter.tag))
        .map(s => ({ tag: s.options.tag ?? '', close: () => { s.closed = true } }))
    }
  }
  return { shown, asked: () => asked }
}

let visibility: DocumentVisibilityState = 'hidden'
let scope = new EventTarget()

function conversation (peer: string, unread: number): Conversation {
  return { peer, createdAt: 1, unread, nextSeq: 1 }
}

function arrived (peer: string, text: string, n = 1): void {
  const message: StoredMessage = { peer, direction: 'in', id: n.toString(16).padStart(32, '0'), text, sentAt: n, storedAt: n, seq: n, status: 'delivered' }
  fake.messenger.dispatchEvent(new CustomEvent('messages', { detail: { peer, messages: [message] } }))
}

function conversationsChanged (peer: string): void {
  fake.messenger.dispatchEvent(new CustomEvent('conversations', { detail: { peer } }))
}

let notifications: typeof import('../../src/lib/state/notifications.svelte.ts').notifications
let NOTIFY_KEY: string
let NOTIFICATION_NAME_MAX: number

beforeEach(async () => {
  vi.resetModules()
  fake.messenger = new EventTarget()
  fake.conversations = []
  fake.reading = null
  fake.registration = null
  visibility = 'hidden'
  scope = new EventTarget()
  // the window's own events (storage) go to the global scope, as in a page
  vi.stubGlobal('addEventListener', EventTarget.prototype.addEventListener.bind(scope))
  vi.stubGlobal('dispatchEvent', EventTarget.prototype.dispatchEvent.bind(scope))
  const page = new EventTarget()
  // the window in use whenever it is shown (notifications.spec.ts has one in view but not in use)
  vi.stubGlobal('document', Object.assign(page, { get visibilityState () { return visibility }, hasFocus: () => visibility === 'visible' }))
  vi.stubGlobal('localStorage', { getItem: () => 'on', setItem () {} })
  vi.stubGlobal('Notification', { permission: 'granted' })
  vi.stubGlobal('navigator', { setAppBadge: async () => {}, clearAppBadge: async () => {} })
  ;({ notifications, NOTIFY_KEY, NOTIFICATION_NAME_MAX } = await import('../../src/lib/state/notifications.svelte.ts'))
  await notifications.start()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('notifications: what a notification says', () => {
  it('should cut a long message without splitting a character in two', async () => {
    const { shown } = tray()
    fake.conversations = [conversation(ALICE, 1)]
    // the cut falls in the middle of an emoji (two UTF-16 code units)
    arrived(ALICE, `${'a'.repeat(158)}${'😀'.repeat(10)}`)
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    const body = shown[0].options.body ?? ''
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
    expect(body).toBe(`${'a'.repeat(158)}…`)
  })
})

describe('notifications: the title', () => {
  it('should name the peer by its ID when the name it chose shows nothing', async () => {
    const { shown } = tray()
    fake.conversations = [{ ...conversation(ALICE, 1), name: '\u200B\u2060' }]
    arrived(ALICE, 'who am I?')
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    expect(shown[0].title).toBe(`Peer …${ALICE.slice(-8)}`)
  })

  it('should tell a peer that takes another\'s name from that peer, by the end of its ID, shown however long the name', async () => {
    const { shown } = tray()
    const long = `Alice${'\u3000'.repeat(10)}${'x'.repeat(40)}`
    fake.conversations = [{ ...conversation(ALICE, 1), name: 'Alice' }, { ...conversation(BOB, 1), name: 'Alice' }, { ...conversation(CAROL, 1), name: long }]
    arrived(ALICE, 'it is me', 1)
    arrived(BOB, 'no, it is me', 2)
    arrived(CAROL, 'me too', 3)
    await vi.waitFor(() => { expect(shown).toHaveLength(3) })
    const titles = shown.map(s => s.title)
    expect(titles.slice(0, 2)).toEqual([`\u2068Alice\u2069 (…${ALICE.slice(-8)})`, `\u2068Alice\u2069 (…${BOB.slice(-8)})`])
    // a lock screen gives the title one line: the name is cut, never the ID after it
    expect(titles[2]).toMatch(new RegExp(`^\u2068Alice x+…\u2069 \\(…${CAROL.slice(-8)}\\)$`))
    expect(titles[2].length).toBeLessThanOrEqual(NOTIFICATION_NAME_MAX + 2 + ` (…${CAROL.slice(-8)})`.length)
  })
})

describe('notifications: once read', () => {
  it('should take a conversation\'s notification away once its messages are read', async () => {
    const { shown } = tray()
    fake.conversations = [conversation(ALICE, 1), conversation(BOB, 1)]
    arrived(ALICE, 'hi from alice', 1)
    arrived(BOB, 'hi from bob', 2)
    await vi.waitFor(() => { expect(shown).toHaveLength(2) })
    // the user comes back and reads Alice's conversation: it is marked read
    visibility = 'visible'
    fake.reading = ALICE
    fake.conversations = [conversation(ALICE, 0), conversation(BOB, 1)]
    conversationsChanged(ALICE)
    await vi.waitFor(() => { expect(shown.find(s => s.options.tag === ALICE)?.closed).toBe(true) })
    // Bob's is still unread: his stays
    expect(shown.find(s => s.options.tag === BOB)?.closed).toBe(false)
  })

  it('should look in the tray only when a conversation with a notification there was read', async () => {
    const { shown, asked } = tray()
    const badge = vi.fn(async () => {})
    vi.stubGlobal('navigator', { setAppBadge: badge, clearAppBadge: badge })
    fake.conversations = [conversation(ALICE, 1), conversation(BOB, 0)]
    arrived(ALICE, 'hi from alice', 1)
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    // the first change looks, for what others left there
    conversationsChanged(ALICE)
    await vi.waitFor(() => { expect(badge).toHaveBeenCalledTimes(1) })
    expect(asked()).toBe(1)
    // Bob's conversation is read, but he has no notification; Alice's is not read
    conversationsChanged(BOB)
    await vi.waitFor(() => { expect(badge).toHaveBeenCalledTimes(2) })
    expect(asked()).toBe(1)
    fake.conversations = [conversation(ALICE, 0), conversation(BOB, 0)]
    conversationsChanged(ALICE)
    await vi.waitFor(() => { expect(shown[0].closed).toBe(true) })
    expect(asked()).toBe(2)
  })

  it('should take away a notification an earlier visit left once its conversation is read', async () => {
    const { shown } = tray()
    const badge = vi.fn(async () => {})
    vi.stubGlobal('navigator', { setAppBadge: badge, clearAppBadge: badge })
    shown.push({ title: 'Alice', options: { tag: ALICE }, closed: false })
    fake.conversations = [conversation(ALICE, 1), conversation(BOB, 1)]
    conversationsChanged(BOB)
    await vi.waitFor(() => { expect(badge).toHaveBeenCalledTimes(1) })
    expect(shown[0].closed).toBe(false)
    fake.conversations = [conversation(ALICE, 0), conversation(BOB, 1)]
    conversationsChanged(ALICE)
    await vi.waitFor(() => { expect(shown[0].closed).toBe(true) })
  })
})

describe('notifications: the permission', () => {
  it('should no longer say notifications are on once the user blocked them in the browser\'s settings', async () => {
    expect(notifications.enabled).toBe(true)
    // blocked from the site settings (or a notification's own menu), then back to the app
    vi.stubGlobal('Notification', { permission: 'denied' })
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(notifications.permission).toBe('denied')
    expect(notifications.enabled).toBe(false)
  })
})

describe('notifications: two tabs', () => {
  it('should follow a choice made in another tab of the app', async () => {
    // turned off in the tab waiting for this one, which runs the node and shows the notifications
    dispatchEvent(Object.assign(new Event('storage'), { key: NOTIFY_KEY, newValue: 'off' }))
    expect(notifications.enabled).toBe(false)
    const { shown } = tray()
    fake.conversations = [conversation(ALICE, 1)]
    arrived(ALICE, 'quiet please', 1)
    // and on again there
    dispatchEvent(Object.assign(new Event('storage'), { key: NOTIFY_KEY, newValue: 'on' }))
    expect(notifications.enabled).toBe(true)
    arrived(ALICE, 'hello again', 2)
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    expect(shown[0].options.body).toBe('hello again')
  })
})

describe('notifications: alerting', () => {
  it('should alert again for a later message from a peer whose earlier notification is still unread, but once for a burst', async () => {
    const { shown } = tray()
    fake.conversations = [conversation(ALICE, 1)]
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000)
    arrived(ALICE, 'first', 1)
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    // the rest of the burst, a moment later: it replaces the notification quietly
    now.mockReturnValue(1_000_000 + 2_000)
    arrived(ALICE, 'second', 2)
    await vi.waitFor(() => { expect(shown).toHaveLength(2) })
    // minutes later, with the first still unread in the tray: the user must hear of it
    now.mockReturnValue(1_000_000 + 5 * 60_000)
    arrived(ALICE, 'are you there?', 3)
    await vi.waitFor(() => { expect(shown).toHaveLength(3) })
    const renotify = shown.map(s => (s.options as { renotify?: boolean }).renotify === true)
    expect(renotify).toEqual([false, false, true])
  })
})

describe('notifications: a blocked peer', () => {
  it('should not notify of a blocked conversation nor count it in the badge, unread from before the block or not', async () => {
    const { shown } = tray()
    const badge = vi.fn(async (_count?: number) => {})
    vi.stubGlobal('navigator', { setAppBadge: badge, clearAppBadge: async () => { await badge(0) } })
    fake.conversations = [{ ...conversation(ALICE, 3), blocked: true }, conversation(BOB, 1)]
    // stored just before the block took effect: the event comes after it
    arrived(ALICE, 'one more before the block', 1)
    arrived(BOB, 'hi from bob', 2)
    await vi.waitFor(() => { expect(shown).toHaveLength(1) })
    expect(shown[0].options.tag).toBe(BOB)
    conversationsChanged(BOB)
    await vi.waitFor(() => { expect(badge).toHaveBeenCalled() })
    expect(badge.mock.calls.at(-1)).toEqual([1])
    expect(shown.map(s => s.options.tag)).toEqual([BOB])
  })
})
