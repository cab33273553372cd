import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeFrame,
  encodeFrame,
  InvalidFrameError,
  MAX_FRAME_BYTES,
  MAX_IDS_PER_FRAME,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MESSAGE_ID_BYTES,
  type ChatFrame
} from '../../src/lib/p2p/chat/index.ts'
import { Frame } from '../../src/lib/p2p/chat/pb/chat.ts'

const id = fc.uint8Array({ minLength: MESSAGE_ID_BYTES, maxLength: MESSAGE_ID_BYTES })
const ids = fc.array(id, { minLength: 1, maxLength: MAX_IDS_PER_FRAME })
const counter = fc.maxSafeNat()
// well-formed strings only: a lone surrogate cannot survive UTF-8 (tested below)
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'grapheme-ascii', minLength: MAX_TEXT_LENGTH - 5, maxLength: MAX_TEXT_LENGTH })
)
const name = fc.string({ unit: 'grapheme', maxLength: MAX_NAME_LENGTH })
  .filter(n => n.length <= MAX_NAME_LENGTH && n === n.trim() && !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(n))

const frame: fc.Arbitrary<ChatFrame> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), id, sentAt: counter, seq: counter.filter(n => n >= 1), text }),
  fc.record({ type: fc.constant('ack' as const), ids }),
  fc.record({ type: fc.constant('read' as const), ids }),
  fc.record({ type: fc.constant('profile' as const), name }),
  fc.record({ type: fc.constant('typing' as const), active: fc.boolean() })
)

const validId = new Uint8Array(MESSAGE_ID_BYTES).fill(7)

function rejects (bytes: Uint8Array): void {
  expect(() => decodeFrame(bytes)).toThrow(InvalidFrameError)
}

describe('chat codec', () => {
  it('should round-trip every frame type', () => {
    fc.assert(fc.property(frame, (f) => {
      const bytes = encodeFrame(f)
      expect(bytes.byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES)
      expect(decodeFrame(bytes)).toEqual(f)
    }), { numRuns: 500 })
  })

  it('should round-trip the largest text, ids list and name', () => {
    const largest: ChatFrame[] = [
      { type: 'text', id: validId, sentAt: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER, text: '\u{1F600}'.repeat(MAX_TEXT_LENGTH / 2) },
      { type: 'text', id: validId, sentAt: 0, seq: 1, text: '' },
      { type: 'ack', ids: Array.from({ length: MAX_IDS_PER_FRAME }, () => validId) },
      { type: 'profile', name: 'n'.repeat(MAX_NAME_LENGTH) },
      { type: 'typing', active: false }
    ]
    for (const f of largest) {
      expect(decodeFrame(encodeFrame(f))).toEqual(f)
    }
  })

  it('should strip control and bidi characters from names on both ends', () => {
    expect(encodeFrame({ type: 'profile', name: ' \u0007Bob\u202E\n' }))
      .toEqual(encodeFrame({ type: 'profile', name: 'Bob' }))
    const raw = Frame.encode({ profile: { name: '\u0000Al\u0085ice\u2066 ' } })
    expect(decodeFrame(raw)).toEqual({ type: 'profile', name: 'Alice' })
  })

  it('should send a lone surrogate as U+FFFD, which is what the peer reads', () => {
    const f: ChatFrame = { type: 'text', id: validId, sentAt: 1, seq: 1, text: 'a\uD800b' }
    expect(decodeFrame(encodeFrame(f))).toEqual({ ...f, text: 'a\uFFFDb' })
  })

  it('should not let a decoded id share memory with the frame buffer', () => {
    const bytes = encodeFrame({ type: 'ack', ids: [validId] })
    const decoded = decodeFrame(bytes)
    bytes.fill(0)
    expect(decoded).toEqual({ type: 'ack', ids: [validId] })
  })

  describe('decodeFrame', () => {
    it('should reject a frame over MAX_FRAME_BYTES', () => {
      rejects(new Uint8Array(MAX_FRAME_BYTES + 1))
      const big = Frame.encode({ text: { id: validId, sentAt: 1n, seq: 1n, body: 'x'.repeat(MAX_FRAME_BYTES) } })
      expect(big.byteLength).toBeGreaterThan(MAX_FRAME_BYTES)
      rejects(big)
    })

    it('should reject text over MAX_TEXT_LENGTH', () => {
      const body = 'x'.repeat(MAX_TEXT_LENGTH + 1)
      rejects(Frame.encode({ text: { id: validId, sentAt: 1n, seq: 1n, body } }))
    })

    it('should reject every truncation of a valid frame', () => {
      fc.assert(fc.property(frame, fc.nat(), (f, cut) => {
        const bytes = encodeFrame(f)
        rejects(bytes.subarray(0, cut % bytes.byteLength))
      }), { numRuns: 500 })
    })

    it('should reject garbage with InvalidFrameError and nothing else', () => {
      rejects(new Uint8Array([0xff, 0xff, 0xff, 0xff]))
      rejects(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))
      fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          decodeFrame(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidFrameError)
        }
      }), { numRuns: 2000 })
    })

    it('should reject an empty frame', () => {
      rejects(new Uint8Array(0))
      rejects(Frame.encode({}))
    })

    it('should reject a frame with two fields set', () => {
      rejects(Frame.encode({ typing: { active: true }, profile: { name: 'x' } }))
      rejects(Frame.encode({ text: { id: validId, sentAt: 1n, seq: 1n, body: 'hi' }, ack: { ids: [validId] } }))
    })

    it('should reject a frame whose only field is unknown', () => {
      // field 6, varint 1: a frame type from some future version
      rejects(new Uint8Array([0x30, 0x01]))
    })

    it('should reject unknown or repeated fields beside a known one', () => {
      const typing = encodeFrame({ type: 'typing', active: true })
      rejects(new Uint8Array([...typing, 0x78, 0x01]))
      rejects(new Uint8Array([...typing, ...typing]))
    })

    it('should reject ids that are not 16 bytes', () => {
      for (const length of [0, 15, 17, 32]) {
        const bad = new Uint8Array(length)
        rejects(Frame.encode({ text: { id: bad, sentAt: 1n, seq: 1n, body: 'hi' } }))
        rejects(Frame.encode({ ack: { ids: [validId, bad] } }))
        rejects(Frame.encode({ read: { ids: [bad] } }))
      }
    })

    it('should reject more than MAX_IDS_PER_FRAME ids, and none', () => {
      const tooMany = Array.from({ length: MAX_IDS_PER_FRAME + 1 }, () => validId)
      rejects(Frame.encode({ ack: { ids: tooMany } }))
      rejects(Frame.encode({ read: { ids: tooMany } }))
      rejects(Frame.encode({ ack: { ids: [] } }))
    })

    it('should reject sentAt or seq beyond the safe integers', () => {
      const unsafe = BigInt(Number.MAX_SAFE_INTEGER) + 1n
      rejects(Frame.encode({ text: { id: validId, sentAt: unsafe, seq: 1n, body: 'hi' } }))
      rejects(Frame.encode({ text: { id: validId, sentAt: 1n, seq: unsafe, body: 'hi' } }))
      rejects(Frame.encode({ text: { id: validId, sentAt: 1n, seq: 2n ** 64n - 1n, body: 'hi' } }))
    })

    it('should reject seq 0, which the store would refuse along with every message written beside it', () => {
      rejects(Frame.encode({ text: { id: validId, sentAt: 1n, seq: 0n, body: 'hi' } }))
      expect(() => encodeFrame({ type: 'text', id: validId, sentAt: 1, seq: 0, text: 'hi' })).toThrow(InvalidFrameError)
    })

    it('should reject a name over MAX_NAME_LENGTH', () => {
      rejects(Frame.encode({ profile: { name: 'n'.repeat(MAX_NAME_LENGTH + 1) } }))
    })
  })

  describe('encodeFrame', () => {
    const bad: Array<[string, unknown]> = [
      ['unknown type', { type: 'poke' }],
      ['no frame', undefined],
      ['text over the limit', { type: 'text', id: validId, sentAt: 1, seq: 1, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
      ['short id', { type: 'text', id: new Uint8Array(15), sentAt: 1, seq: 1, text: 'hi' }],
      ['id not bytes', { type: 'text', id: 'abc', sentAt: 1, seq: 1, text: 'hi' }],
      ['unsafe sentAt', { type: 'text', id: validId, sentAt: 2 ** 53, seq: 1, text: 'hi' }],
      ['negative seq', { type: 'text', id: validId, sentAt: 1, seq: -1, text: 'hi' }],
      ['fractional seq', { type: 'text', id: validId, sentAt: 1, seq: 1.5, text: 'hi' }],
      ['text not a string', { type: 'text', id: validId, sentAt: 1, seq: 1, text: 42 }],
      ['no ids', { type: 'ack', ids: [] }],
      ['too many ids', { type: 'read', ids: Array.from({ length: MAX_IDS_PER_FRAME + 1 }, () => validId) }],
      ['long id in a list', { type: 'ack', ids: [new Uint8Array(17)] }],
      ['name over the limit', { type: 'profile', name: 'n'.repeat(MAX_NAME_LENGTH + 1) }],
      ['typing not boolean', { type: 'typing', active: 'yes' }]
    ]
    for (const [what, value] of bad) {
      it(`should refuse a frame with ${what}`, () => {
        expect(() => encodeFrame(value as ChatFrame)).toThrow(InvalidFrameError)
      })
    }
  })
})
