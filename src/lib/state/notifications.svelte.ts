import { goto } from '$app/navigation'
import { labelText, peerLabel } from '../shared/names.ts'
import { appWorker } from './app-worker.svelte.ts'
import { onAttentionChange, userIsLooking } from './attention.ts'
import { coalesced } from './coalesce.ts'
import { session } from './session.svelte.ts'
import type { Conversation, StoredMessage } from '../store/index.ts'

/** Where the user's "yes, notify me" is kept; the browser's permission alone is not consent for this app. */
export const NOTIFY_KEY = 'peerlink:notify'
/** A lock screen shows a line or two; a long message is cut here, and the app shows the rest. */
export const NOTIFICATION_BODY_MAX = 160
/**
 * A title gets one line: a peer's chosen name is cut here, so the end of its
 * ID after the name still shows, which tells it from a peer that chose the
 * same name.
 */
export const NOTIFICATION_NAME_MAX = 24
/** Message IDs remembered so a message that changes state later is not announced twice. */
export const SEEN_IDS_MAX = 1_000

/**
 * A notification that replaces one still shown for the same conversation
 * alerts again (sound, vibration, a banner) once this long has passed since
 * that conversation last alerted: a burst, or a queue delivered on
 * reconnecting, alerts once, and a message after a pause is heard.
 */
export const RENOTIFY_AFTER_MS = 30_000

/** Badge changes (and notifications of what was read) within this long are handled once: each reads every conversation. */
export const BADGE_REFRESH_MS = 250

export type Permission = NotificationPermission | 'unsupported'

/**
 * `text` cut to at most `max` UTF-16 code units, '…' included; never between
 * the two halves of a character outside the BMP (an emoji), which would show
 * as a replacement character.
 */
export function cutText (text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

function supported (): boolean {
  return typeof Notification !== 'undefined'
}

/**
 * System notifications for messages that arrive while the page is hidden,
 * and the app badge with the unread count. Never asks for permission by
 * itself: only enable(), from a button the user pressed.
 */
class Notifications {
  #permission = $state<Permission>(supported() ? Notification.permission : 'unsupported')
  #optedIn = $state(false)
  #seen = new Set<string>()
  #started = false
  /** shown by this page without the service worker, by conversation, so they can be closed once read */
  readonly #pageShown = new Map<string, Notification>()
  /** when each conversation's notification last alerted the user */
  readonly #alertedAt = new Map<string, number>()
  /**
   * Tags (conversations) of the worker's notifications that may still be in
   * the tray: shown from here, or found there. The tray is asked only when
   * one of them was read: asked on every change of the conversation list (up
   * to four a second while messages arrive), it had nothing to close nearly
   * every time.
   */
  readonly #inTray = new Set<string>()
  /** false until the tray was asked, and again whenever others may have added to it since */
  #trayKnown = false

  get permission (): Permission { return this.#permission }
  /** notifications will be shown */
  get enabled (): boolean { return this.#optedIn && this.#permission === 'granted' }

  /** Asks for permission (only ever from a user's click) and remembers the choice. */
  async enable (): Promise<void> {
    if (!supported()) return
    this.#permission = await Notification.requestPermission()
    this.#optedIn = this.#permission === 'granted'
    this.#save()
  }

  disable (): void {
    this.#optedIn = false
    this.#save()
  }

  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    try {
      this.#optedIn = localStorage.getItem(NOTIFY_KEY) === 'on'
    } catch {
      this.#optedIn = false
    }
    // the open conversation's unread count in the badge or not, as the user looks away and back
    onAttentionChange(() => {
      // blocked or allowed again in the browser's settings meanwhile: the toggle says what holds now
      this.#readPermission()
      // swiped away meanwhile, or shown by another tab of the app that ran the node
      this.#trayKnown = false
      this.#refresh().catch(() => {})
    })
    // changed from the address bar's site controls, with the page in view all along
    navigator.permissions?.query({ name: 'notifications' }).then(status => {
      status.addEventListener('change', () => { this.#readPermission() })
    }, () => {})
    // turned on or off in another tab (perhaps one waiting for this one, which shows the notifications)
    addEventListener('storage', (evt: StorageEvent) => {
      if (evt.key !== NOTIFY_KEY) return
      this.#optedIn = evt.newValue === 'on'
      this.#readPermission()
    })
    this.#refresh().catch(() => {})
    const { messenger } = await session.ready()
    // this tab may have waited for another one, which showed notifications meanwhile
    this.#trayKnown = false
    messenger.addEventListener('messages', evt => { void this.#onMessages(evt.detail.peer, evt.detail.messages) })
    messenger.addEventListener('conversations', coalesced(async () => { await this.#refresh() }, BADGE_REFRESH_MS))
  }

  #readPermission (): void {
    if (supported()) this.#permission = Notification.permission
  }

  #save (): void {
    try {
      localStorage.setItem(NOTIFY_KEY, this.#optedIn ? 'on' : 'off')
    } catch {
      // without storage the choice lasts for this page only
    }
  }

  async #onMessages (peer: string, messages: StoredMessage[]): Promise<void> {
    const fresh = messages.filter(m => m.direction === 'in' && !this.#seen.has(m.id))
    for (const m of fresh) this.#remember(m.id)
    if (fresh.length === 0 || userIsLooking() || !this.enabled) return
    const { store } = await session.local()
    const conversation = await store.conversations.get(peer)
    // blocked in the moment the messages were stored: nothing of a blocked peer's may alert the user
    if (conversation?.blocked === true) return
    const label = peerLabel(peer, conversation?.name)
    const title = labelText({ ...label, name: cutText(label.name, NOTIFICATION_NAME_MAX) })
    const last = fresh[fresh.length - 1]
    // without renotify, a notification with the tag of one still shown replaces it in silence
    const now = Date.now()
    const alerted = this.#alertedAt.get(peer)
    const renotify = alerted != null && now - alerted >= RENOTIFY_AFTER_MS
    if (alerted == null || renotify) this.#alertedAt.set(peer, now)
    await this.#show(title, { body: cutText(last.text, NOTIFICATION_BODY_MAX), tag: peer, renotify, data: { url: `/p/${peer}` }, icon: '/icons/icon-192.png' })
  }

  #remember (id: string): void {
    this.#seen.add(id)
    // a Set iterates in insertion order: the first entry is the oldest
    if (this.#seen.size > SEEN_IDS_MAX) this.#seen.delete(this.#seen.values().next().value as string)
  }

  /** `renotify` is Chromium's (not in TypeScript's DOM types); other browsers ignore it */
  async #show (title: string, options: NotificationOptions & { renotify: boolean, data: { url: string } }): Promise<void> {
    // Android allows notifications only through the service worker; its click handler opens the conversation
    const registration = appWorker.registration
    if (registration?.active != null) {
      this.#inTray.add(options.tag ?? '')
      await registration.showNotification(title, options).catch(() => {})
      return
    }
    try {
      const n = new Notification(title, options)
      this.#pageShown.set(options.tag ?? '', n)
      n.onclick = () => {
        focus()
        void goto(options.data.url)
        n.close()
      }
    } catch {
      // the platform refused; the badge and the conversation list still say it
    }
  }

  /**
   * The badge, and the notifications of conversations with nothing unread
   * left: read here or marked read as they came into view, their
   * notification would otherwise stay in the tray (a phone keeps it until
   * swiped away) and say there is something new.
   */
  async #refresh (): Promise<void> {
    const { store } = await session.local()
    const looking = userIsLooking()
    // the conversation the user is looking at counts as read: it is being marked so; a blocked
    // one too, whatever came before the block: its notifications go, and it counts for nothing
    const read = (c: Conversation): boolean => c.unread === 0 || c.blocked === true || (looking && c.peer === session.reading)
    const list = await store.conversations.list()
    const unread = list.filter(c => !read(c)).reduce((sum, c) => sum + c.unread, 0)
    await Promise.all([this.#setBadge(unread), this.#closeRead(new Set(list.filter(read).map(c => c.peer)))])
  }

  /** Unread messages, not counting the conversation the user is looking at right now. */
  async #setBadge (unread: number): Promise<void> {
    if (typeof navigator.setAppBadge !== 'function') return
    await (unread > 0 ? navigator.setAppBadge(unread) : navigator.clearAppBadge()).catch(() => {})
  }

  /** Closes the notifications (tagged by conversation) of the conversations in `read`. */
  async #closeRead (read: ReadonlySet<string>): Promise<void> {
    for (const [tag, n] of this.#pageShown) {
      if (!read.has(tag)) continue
      n.close()
      this.#pageShown.delete(tag)
    }
    // the worker's outlive the page that showed them: those of an earlier visit
    // too, which the first look at the tray finds
    const registration = appWorker.registration
    if (registration == null) return
    if (this.#trayKnown && ![...this.#inTray].some(tag => read.has(tag))) return
    this.#trayKnown = true
    // before the wait: one shown meanwhile is added again
    for (const tag of this.#inTray) if (read.has(tag)) this.#inTray.delete(tag)
    const shown = await registration.getNotifications().catch(() => undefined)
    if (shown == null) {
      this.#trayKnown = false
      return
    }
    for (const n of shown) {
      if (read.has(n.tag)) n.close()
      else this.#inTray.add(n.tag)
    }
  }
}

export const notifications = new Notifications()
