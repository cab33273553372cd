import { conversations } from './conversations.svelte.ts'
import { assertShowsText } from './errors.ts'
import { session } from './session.svelte.ts'
import type { StoredMessage } from '../store/index.ts'

/**
 * A message sent while this tab's node is still starting (a page just opened,
 * whose conversation shows from the store before the node runs, or a tab that
 * takes over once the one that ran the node closed): stored as queued at once,
 * for the thread to show so, and sent by the node once it runs. Sending waited
 * for the node before: the composer did nothing on Enter for that while.
 *
 * Stored without the node, so the node's start may have read the outboxes
 * already and found the peer connected: it is asked to go through this
 * peer's outbox once it runs.
 */
export async function queueBeforeStart (peer: string, text: string): Promise<StoredMessage> {
  assertShowsText(text)
  const { store } = await session.local()
  const message = await store.messages.createOutgoing(peer, text)
  void conversations.refresh()
  session.ready().then(({ messenger }) => { messenger.delivery.flushSoon(peer) }, () => {
    // a start that failed says so in the layout; the message waits in the outbox for the next one
  })
  return message
}
