import { describe, expect, it } from 'vitest'
import { TAB_CHANNEL, hearOtherTabs, tellOtherTabs, type TabNews } from '../../src/lib/state/tab-news.ts'
import type { StoredMessage } from '../../src/lib/store/index.ts'

const PEER = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
const OTHER_PEER = '12D3KooWSomeoneElseSomeoneElseSomeoneElseSomeoneEls'
const message = { id: '0'.repeat(32), peer: PEER, text: 'hi', direction: 'in', status: 'delivered', sentAt: 1, seq: 1 } as unknown as StoredMessage

describe('tab news', () => {
  it('should not hand the running tab its own news back, and hand it to the other tabs', async () => {
    // the running tab: its messenger's news goes out, and its list and open thread listen
    const messenger = new EventTarget()
    const stopTelling = tellOtherTabs(messenger)
    const heardHere: TabNews[] = []
    const stopHearing = [hearOtherTabs(news => { heardHere.push(news) }), hearOtherTabs(news => { heardHere.push(news) })]
    // another tab, which answers once it heard the messages: an answer the running tab does hear
    const otherTab = new BroadcastChannel(TAB_CHANNEL)
    const answer: TabNews = { type: 'messages', peer: OTHER_PEER, messages: [] }
    const heardThere: unknown[] = []
    otherTab.addEventListener('message', (evt: MessageEvent) => {
      heardThere.push(evt.data)
      if ((evt.data as TabNews).type === 'messages') otherTab.postMessage(answer)
    })
    messenger.dispatchEvent(new CustomEvent('conversations', { detail: { peer: PEER } }))
    messenger.dispatchEvent(new CustomEvent('messages', { detail: { peer: PEER, messages: [message] } }))
    // the answer came after the running tab's own news: had that come back, it would be here by now
    await expect.poll(() => heardHere.filter(news => news.type === 'messages' && news.peer === OTHER_PEER)).toHaveLength(2)
    expect(heardHere).toEqual([answer, answer])
    expect(heardThere).toEqual([{ type: 'list' }, { type: 'messages', peer: PEER, messages: [message] }])
    otherTab.close()
    stopTelling()
    for (const stop of stopHearing) stop()
  })
})
