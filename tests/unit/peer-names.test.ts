import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { Delivery } from '../../src/lib/state/delivery.ts'
import { openStore } from '../../src/lib/store/index.ts'

const PEER = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'

/** Profile frames a peer sends back to back, its name changing with each. */
const FLOOD = 500

describe('names a peer sends', () => {
  it('should write a flood of profile frames as a few writes, keeping the last name', async () => {
    const store = await openStore({ name: 'peer-names-flood' })
    let writes = 0
    const setName = store.conversations.setName.bind(store.conversations)
    store.conversations.setName = async (peer, name) => {
      writes++
      await setName(peer, name)
    }
    const delivery = new Delivery({
      store,
      transport: { usable: () => false, send: async () => {} },
      isReading: () => false,
      name: () => '',
      readReceipts: () => false
    })
    const names = Array.from({ length: FLOOD }, (_, i) => `Name ${i}`)
    await Promise.all(names.map(async name => { await delivery.receive(PEER, { type: 'profile', name }) }))
    // one for the first frame, one for all that came while it was written
    expect(writes).toBeLessThanOrEqual(2)
    expect((await store.conversations.get(PEER))?.name).toBe(names[FLOOD - 1])
    // a name that comes later, alone, is written as before
    await delivery.receive(PEER, { type: 'profile', name: 'Ada' })
    expect((await store.conversations.get(PEER))?.name).toBe('Ada')
    delivery.stop()
    store.close()
  })
})
