import { loadP2p } from './p2p-loader.ts'
import { session } from './session.svelte.ts'
import { Thread } from './thread.svelte.ts'

export interface Opened {
  thread?: Thread
  error?: string
}

/**
 * Opens the conversation a link points at. Bad links and links to ourselves
 * become an error to show, never an exception that breaks the page.
 */
export async function openThread (peerText: string, relayText: string | null): Promise<Opened> {
  const { InvalidLinkError, parsePeerId, parseRelayHint } = await loadP2p()
  let peer: string
  let relay: string | undefined
  try {
    peer = parsePeerId(peerText).toString()
    relay = parseRelayHint(relayText)
  } catch (err) {
    if (err instanceof InvalidLinkError) return { error: err.message }
    throw err
  }
  // not ready(): a tab waiting for the one that runs the node shows the stored conversation too
  await session.local()
  if (peer === session.peerId) {
    return { error: 'This is your own link. Send it to a friend, and open theirs to chat.' }
  }
  const thread = new Thread(peer)
  await thread.open(relay)
  return { thread }
}
