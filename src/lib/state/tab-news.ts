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

function openChannel (): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(TAB_CHANNEL) : undefined
}

/** Passes on to the other tabs what the node's messenger says changed; returns the way to stop. */
export function tellOtherTabs (messenger: EventTarget): () => void {
  const channel = openChannel()
  if (channel == null) return () => {}
  const post = (news: TabNews): void => {
    try {
      channel.postMessage(news)
    } catch {
      // a record the channel cannot copy: the other tabs read it when reloaded
    }
  }
  messenger.addEventListener('conversations', () => { post({ type: 'list' }) })
  messenger.addEventListener('messages', evt => {
    const { peer, messages } = (evt as CustomEvent<{ peer: string, messages: StoredMessage[] }>).detail
    if (messages.length > 0) post({ type: 'messages', peer, messages })
  })
  return () => { channel.close() }
}

/**
 * Calls `onNews` with what the other tabs say; returns the way to stop
 * listening. Anything but news of messages (`null` from an older version
 * included) is taken as "the list changed".
 */
export function hearOtherTabs (onNews: (news: TabNews) => void): () => void {
  const channel = openChannel()
  if (channel == null) return () => {}
  channel.addEventListener('message', (evt: MessageEvent) => { onNews(asNews(evt.data)) })
  return () => { channel.close() }
}

function asNews (data: unknown): TabNews {
  const news = data as Partial<Extract<TabNews, { type: 'messages' }>> | null
  if (news?.type === 'messages' && typeof news.peer === 'string' && Array.isArray(news.messages)) {
    return { type: 'messages', peer: news.peer, messages: news.messages }
  }
  return { type: 'list' }
}
