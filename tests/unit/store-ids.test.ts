import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, isMessageId, newMessageId } from '../../src/lib/store/ids.ts'
import { InvalidArgumentError } from '../../src/lib/store/errors.ts'

describe('store ids', () => {
  it('should round-trip bytes through lowercase hex', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), bytes => {
      const hex = bytesToHex(bytes)
      expect(hex).toMatch(/^[0-9a-f]*$/)
      expect(hex).toHaveLength(bytes.length * 2)
      expect(hexToBytes(hex)).toEqual(bytes)
    }))
  })

  it('should refuse malformed hex', () => {
    for (const bad of ['a', 'zz', '0g', ' 00']) expect(() => hexToBytes(bad)).toThrow(InvalidArgumentError)
  })

  it('should accept only 32 lowercase hex digits as a message id', () => {
    expect(isMessageId('0123456789abcdef0123456789abcdef')).toBe(true)
    for (const bad of ['0123456789ABCDEF0123456789abcdef', '0'.repeat(31), '0'.repeat(33), 'x'.repeat(32), 42, undefined]) {
      expect(isMessageId(bad)).toBe(false)
    }
  })

  it('should make random, well-formed message ids', () => {
    const ids = Array.from({ length: 100 }, newMessageId)
    expect(ids.every(isMessageId)).toBe(true)
    expect(new Set(ids).size).toBe(100)
  })
})
