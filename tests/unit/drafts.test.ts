import { afterEach, describe, expect, it, vi } from 'vitest'
import { DRAFT_KEY_PREFIX, loadDraft, saveDraft } from '../../src/lib/state/drafts.ts'
import { MAX_MESSAGE_LENGTH } from '../../src/lib/state/limits.ts'

/** The part of the browser's Storage the drafts use, over a map. */
function memoryStorage (): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { entries: Map<string, string> } {
  const entries = new Map<string, string>()
  return {
    entries,
    getItem: key => entries.get(key) ?? null,
    setItem: (key, value) => { entries.set(key, value) },
    removeItem: key => { entries.delete(key) }
  }
}

afterEach(() => { vi.unstubAllGlobals() })

describe('drafts: unsent text per conversation', () => {
  it('should keep each conversation\'s text apart, and remove it once empty or only spaces', () => {
    const storage = memoryStorage()
    vi.stubGlobal('localStorage', storage)
    saveDraft('alice', 'half a thought')
    saveDraft('bob', 'for later')
    expect(loadDraft('alice')).toBe('half a thought')
    expect(loadDraft('bob')).toBe('for later')
    expect(loadDraft('carol')).toBe('')
    saveDraft('alice', '  \n ')
    expect(loadDraft('alice')).toBe('')
    expect([...storage.entries.keys()]).toEqual([`${DRAFT_KEY_PREFIX}bob`])
  })

  it('should keep no more than a message can hold', () => {
    const storage = memoryStorage()
    vi.stubGlobal('localStorage', storage)
    saveDraft('alice', 'x'.repeat(MAX_MESSAGE_LENGTH + 10))
    expect(loadDraft('alice')).toHaveLength(MAX_MESSAGE_LENGTH)
    // written by an older version, or by hand
    storage.entries.set(`${DRAFT_KEY_PREFIX}bob`, 'y'.repeat(MAX_MESSAGE_LENGTH * 2))
    expect(loadDraft('bob')).toHaveLength(MAX_MESSAGE_LENGTH)
  })

  it('should neither throw nor invent text when storage is full or disabled', () => {
    const refusing = () => { throw new DOMException('quota', 'QuotaExceededError') }
    vi.stubGlobal('localStorage', { getItem: refusing, setItem: refusing, removeItem: refusing })
    expect(() => { saveDraft('alice', 'text') }).not.toThrow()
    expect(() => { saveDraft('alice', '') }).not.toThrow()
    expect(loadDraft('alice')).toBe('')
  })
})
