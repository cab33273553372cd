import { describe, expect, it } from 'vitest'
import { DATA_CHANNEL_MESSAGE_BYTES, WEBRTC_FRAMING_BYTES } from '../../src/lib/p2p/constants.ts'

// not exported by the package: read from its file, so that an upgrade that
// changes the framing shows here instead of as slower bulk transfers
const constants = new URL('../../node_modules/@libp2p/webrtc/dist/src/constants.js', import.meta.url).href

describe('data channel message size', () => {
  it('should leave exactly 64 KiB of payload after the library takes its framing off', async () => {
    const { PROTOBUF_OVERHEAD } = await import(/* @vite-ignore */ constants) as { PROTOBUF_OVERHEAD: number }
    expect(PROTOBUF_OVERHEAD).toBe(WEBRTC_FRAMING_BYTES)
    expect(DATA_CHANNEL_MESSAGE_BYTES - PROTOBUF_OVERHEAD).toBe(64 * 1024)
  })
})
