import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { showsNothing } from '../../src/lib/shared/invisible.ts'
import { Delivery } from '../../src/lib/state/delivery.ts'
import { EmptyMessageError } from '../../src/lib/state/errors.ts'
import { openStore } from '../../src/lib/store/index.ts'

const PEER = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'

/** Texts that show nothing: zero-width space and joiner, direction marks and isolates, the BOM, a Hangul filler, the blank braille pattern, with or without spaces and line breaks. */
const BLANK = ['', ' \n\t', '\u200B', '\u200D\u200C', '\u200E \u200F', '\u2066\u2069\n', '\uFEFF', '\u3164', '\u202E \u00A0\u3000', '\u2800\u2800', ' \u2800\n']

describe('a message that shows nothing', () => {
  it('should be told apart from one that shows something, however little', () => {
    for (const text of BLANK) expect(showsNothing(text), JSON.stringify(text)).toBe(true)
    for (const text of ['.', '\u200Bhi', 'שלום\u200F', '👍', '\u2066a\u2069', '\u2801']) expect(showsNothing(text), text).toBe(false)
  })

  it('should be refused by delivery, not only by the composer: nothing stored, nothing sent', async () => {
    const store = await openStore({ name: 'empty-message' })
    const sent: unknown[] = []
    const delivery = new Delivery({
      store,
      transport: { usable: () => true, send: async (_peer, frame) => { sent.push(frame) } },
      isReading: () => false,
      name: () => '',
      readReceipts: () => false
    })
    for (const text of BLANK) await expect(delivery.send(PEER, text)).rejects.toThrow(EmptyMessageError)
    await delivery.send(PEER, '\u200Bhi')
    await delivery.flush(PEER)
    expect((await store.messages.list(PEER)).map(m => m.text)).toEqual(['\u200Bhi'])
    expect(sent).toHaveLength(1)
    delivery.stop()
    store.close()
  })
})
