import { render } from 'svelte/server'
import { describe, expect, it } from 'vitest'
import ConversationList from '../../src/lib/ui/ConversationList.svelte'
import type { Conversation } from '../../src/lib/store/index.ts'

const ADA = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const MALLORY = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'
const NAMELESS = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
const MALLORY_TOO = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBo'

function conversation (peer: string, name?: string): Conversation {
  return { peer, createdAt: 1, unread: 0, nextSeq: 1, ...(name != null ? { name } : {}) }
}

/** Each entry's name as the page shows it and a screen reader reads it: its text, markup and comments left out. */
function entryNames (html: string): string[] {
  // an entry's name is followed by its time, its last message and its unread count, each in a block of its own
  return [...html.matchAll(/<span class="who[^"]*">(.*?) <!--\[/gs)]
    .map(([, inner]) => inner.replace(/<!--.*?-->/gs, '').replace(/<[^>]+>/g, '').replace(/&nbsp;|\u00a0/g, ' '))
}

describe('conversation list: who each entry is', () => {
  it('should show a peer that takes another\'s name, or a nameless peer\'s label, unlike that peer', () => {
    const { body } = render(ConversationList, {
      props: {
        loaded: true,
        items: [
          conversation(ADA, 'Ada'),
          conversation(MALLORY, 'Ada'),
          conversation(NAMELESS),
          // the label the nameless peer shows, taken as a name
          conversation(MALLORY_TOO, `Peer …${NAMELESS.slice(-8)}`)
        ]
      }
    })
    const names = entryNames(body)
    expect(names).toEqual([
      `Ada …${ADA.slice(-8)}`,
      `Ada …${MALLORY.slice(-8)}`,
      `Peer …${NAMELESS.slice(-8)}`,
      `Peer ${NAMELESS.slice(-8)} …${MALLORY_TOO.slice(-8)}`
    ])
    expect(new Set(names).size).toBe(names.length)
    // read out too: nothing of it is hidden from assistive technology
    expect(body).not.toContain('aria-hidden')
  })
})
