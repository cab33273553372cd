import type { StoredMessage } from '../store/index.ts'

/**
 * The tab that runs the node says on this channel what changed, so a tab
 * waiting for it (which has no node, and hears none of its events) shows the
 * same list and the same open conversation, not those of when it was opened.
 * The name is the one the list used alone before: a tab of an older version
 * still running posts `null` on it, which means "the list changed".
 */
export const TAB_CHANNEL = 'peerlink:conversations'

/** What the running tab tells the others. */
export type TabNews =
  /** the conversation list changed (a new conversation, a name, a last message, unread counts) */
  | { type: 'list' }
  /** messages of one conversation were stored or changed state: the records as now stored */
  | { type: 'messages', peer: string, messages: StoredMessage[] }

/**
 * The tab's one channel, for telling and for hearing, open while anything
 * uses it. A channel does not hear what it posts itself, so the tab that runs
 * the node (which has the news first hand, from its messenger) does not take
 * its own back: with a channel per user, the list and the open thread each
 * copied every batch of messages it posted out of the channel again.
 */
let shared: { channel: BroadcastChannel, users: number } | undefined

/** The tab's channel (undefined where there are none) and the way to let go of it. */
function useChannel (): { channel: BroadcastChannel, release: () => void } | undefined {
  if (typeof BroadcastChannel !== 'function') return undefined
  shared ??= { channel: new BroadcastChannel(TAB_CHANNEL), users: 0 }
  const held = shared
  held.users++
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    if (--held.users > 0) return
    held.channel.close()
    if (shared === held) shared = undefined
  }
  return { channel: held.channel, release }
}

/** Passes on to the other tabs what the node's messenger says changed; returns the way to stop. */
export function tellOtherTabs (messenger: EventTarget): () => void {
  const used = useChannel()
  if (used == null) return () => {}
  const post = (news: TabNews): void => {
    try {
      used.channel.postMessage(news)
    } catch {
      // a record the channel cannot copy: the other tabs read it when reloaded
    }
  }
  const onList = (): void => { post({ type: 'list' }) }
  const onMessages = (evt: Event): void => {
    const { peer, messages } = (evt as CustomEvent<{ peer: string, messages: StoredMessage[] }>).detail
    if (messages.length > 0) post({ type: 'messages', peer, messages })
  }
  messenger.addEventListener('conversations', onList)
  messenger.addEventListener('messages', onMessages)
  return () => {
    messenger.removeEventListener('conversations', onList)
    messenger.removeEventListener('messages', onMessages)
    used.release()
  }
}

/**
 * Calls `onNews` with what the other tabs say; returns the way to stop
 * listening. Anything but news of messages (`null` from an older version
 * included) is taken as "the list changed".
 */
export function hearOtherTabs (onNews: (news: TabNews) => void): () => void {
  const used = useChannel()
  if (used == null) return () => {}
  const onMessage = (evt: MessageEvent): void => { onNews(asNews(evt.data)) }
  used.channel.addEventListener('message', onMessage)
  return () => {
    used.channel.removeEventListener('message', onMessage)
    used.release()
  }
}

function asNews (data: unknown): TabNews {
  const news = data as Partial<Extract<TabNews, { type: 'messages' }>> | null
  if (news?.type === 'messages' && typeof news.peer === 'string' && Array.isArray(news.messages)) {
    return { type: 'messages', peer: news.peer, messages: news.messages }
  }
  return { type: 'list' }
}
