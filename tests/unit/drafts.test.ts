import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_MESSAGE_LENGTH } from '../../src/lib/state/limits.ts'

type Drafts = typeof import('../../src/lib/state/drafts.ts')

/** The part of the browser's Storage the drafts use, over a map, counting writes. */
function memoryStorage (): Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'> & { entries: Map<string, string>, writes: number } {
  const entries = new Map<string, string>()
  const storage = {
    entries,
    writes: 0,
    get length () { return entries.size },
    key: (i: number) => [...entries.keys()][i] ?? null,
    getItem: (key: string) => entries.get(key) ?? null,
    setItem: (key: string, value: string) => { storage.writes++; entries.set(key, value) },
    removeItem: (key: string) => { storage.writes++; entries.delete(key) }
  }
  return storage
}

let drafts: Drafts
let storage: ReturnType<typeof memoryStorage>

beforeEach(async () => {
  vi.useFakeTimers()
  storage = memoryStorage()
  vi.stubGlobal('localStorage', storage)
  // the module keeps unwritten drafts and its listeners: a fresh one per test
  vi.resetModules()
  drafts = await import('../../src/lib/state/drafts.ts')
})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('drafts: unsent text per conversation', () => {
  it('should keep each conversation\'s text apart, and remove it once it shows nothing', () => {
    drafts.saveDraft('alice', 'half a thought')
    drafts.saveDraft('bob', 'for later')
    drafts.flushDrafts()
    expect(drafts.loadDraft('alice')).toBe('half a thought')
    expect(drafts.loadDraft('bob')).toBe('for later')
    expect(drafts.loadDraft('carol')).toBe('')
    drafts.saveDraft('alice', '  \n ')
    drafts.flushDrafts()
    expect(drafts.loadDraft('alice')).toBe('')
    expect([...storage.entries.keys()]).toEqual([`${drafts.DRAFT_KEY_PREFIX}bob`])
    // invisible characters alone: no blank "Draft:" in the list
    drafts.saveDraft('bob', '\u200B\u2800 ')
    drafts.flushDrafts()
    expect(drafts.loadDraft('bob')).toBe('')
    expect([...storage.entries.keys()]).toEqual([])
  })

  it('should write a run of changes once, after a delay, and read the newest before then', () => {
    for (let i = 0; i < 1_000; i++) {
      drafts.saveDraft('alice', `message ${i}`)
      drafts.saveDraft('alice', '')
    }
    drafts.saveDraft('alice', 'still typing')
    expect(storage.writes).toBe(0)
    expect(drafts.loadDraft('alice')).toBe('still typing')
    vi.advanceTimersByTime(drafts.DRAFT_WRITE_DELAY_MS)
    expect(storage.writes).toBe(1)
    expect(storage.entries.get(`${drafts.DRAFT_KEY_PREFIX}alice`)).toBe('still typing')
  })

  it('should write at once when the page is hidden or goes away', () => {
    const listeners = new Map<string, () => void>()
    const document = { visibilityState: 'visible', addEventListener: (type: string, fn: () => void) => { listeners.set(`document ${type}`, fn) } }
    vi.stubGlobal('document', document)
    vi.stubGlobal('addEventListener', (type: string, fn: () => void) => { listeners.set(`window ${type}`, fn) })
    drafts.saveDraft('alice', 'typed, then switched away')
    document.visibilityState = 'hidden'
    listeners.get('document visibilitychange')?.()
    expect(storage.entries.get(`${drafts.DRAFT_KEY_PREFIX}alice`)).toBe('typed, then switched away')
    drafts.saveDraft('alice', '')
    listeners.get('window pagehide')?.()
    expect(storage.entries.size).toBe(0)
  })

  it('should keep a paste longer than a message whole, for the user to shorten', () => {
    drafts.saveDraft('alice', 'x'.repeat(MAX_MESSAGE_LENGTH + 10))
    expect(drafts.loadDraft('alice')).toHaveLength(MAX_MESSAGE_LENGTH + 10)
    drafts.flushDrafts()
    expect(drafts.loadDraft('alice')).toHaveLength(MAX_MESSAGE_LENGTH + 10)
  })

  it('should keep no more than a draft may hold', () => {
    drafts.saveDraft('alice', 'x'.repeat(drafts.MAX_DRAFT_LENGTH + 10))
    expect(drafts.loadDraft('alice')).toHaveLength(drafts.MAX_DRAFT_LENGTH)
    drafts.flushDrafts()
    expect(drafts.loadDraft('alice')).toHaveLength(drafts.MAX_DRAFT_LENGTH)
    // written by hand
    storage.entries.set(`${drafts.DRAFT_KEY_PREFIX}bob`, 'y'.repeat(drafts.MAX_DRAFT_LENGTH * 2))
    expect(drafts.loadDraft('bob')).toHaveLength(drafts.MAX_DRAFT_LENGTH)
  })

  it('should show the list each conversation\'s draft, from storage at first and as it changes after', () => {
    const listeners = new Map<string, (evt: unknown) => void>()
    vi.stubGlobal('addEventListener', (type: string, fn: (evt: unknown) => void) => { listeners.set(type, fn) })
    vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: () => {} })
    storage.entries.set(`${drafts.DRAFT_KEY_PREFIX}alice`, 'from before the reload')
    storage.entries.set('peerlink:something-else', 'not a draft')
    drafts.saveDraft('bob', 'typed, not written yet')
    expect(drafts.draftPreview('alice')).toBe('from before the reload')
    expect(drafts.draftPreview('bob')).toBe('typed, not written yet')
    expect(drafts.draftPreview('something-else')).toBe('')
    // sent: the list goes back to the last message
    drafts.saveDraft('alice', '')
    expect(drafts.draftPreview('alice')).toBe('')
    drafts.saveDraft('carol', 'new')
    expect(drafts.draftPreview('carol')).toBe('new')
    // another tab of the app wrote one
    listeners.get('storage')?.({ key: `${drafts.DRAFT_KEY_PREFIX}dave`, newValue: 'from the other tab' })
    expect(drafts.draftPreview('dave')).toBe('from the other tab')
    listeners.get('storage')?.({ key: `${drafts.DRAFT_KEY_PREFIX}dave`, newValue: null })
    expect(drafts.draftPreview('dave')).toBe('')
  })

  it('should neither throw nor invent text when storage is full or disabled', () => {
    const refusing = (): never => { throw new DOMException('quota', 'QuotaExceededError') }
    vi.stubGlobal('localStorage', { getItem: refusing, setItem: refusing, removeItem: refusing })
    drafts.saveDraft('alice', 'text')
    expect(() => { drafts.flushDrafts() }).not.toThrow()
    drafts.saveDraft('alice', '')
    expect(() => { drafts.flushDrafts() }).not.toThrow()
    expect(drafts.loadDraft('alice')).toBe('')
  })

  it('should still give a draft back when its write failed (a full disk), and write it once storage takes it', () => {
    const setItem = storage.setItem
    storage.setItem = () => { throw new DOMException('quota', 'QuotaExceededError') }
    drafts.saveDraft('alice', 'a long reply I do not want to type again')
    vi.advanceTimersByTime(drafts.DRAFT_WRITE_DELAY_MS)
    // the conversation opened again (another one in between) starts from this
    expect(drafts.loadDraft('alice')).toBe('a long reply I do not want to type again')
    expect(drafts.draftPreview('alice')).toBe('a long reply I do not want to type again')
    storage.setItem = setItem
    drafts.saveDraft('bob', 'hi')
    vi.advanceTimersByTime(drafts.DRAFT_WRITE_DELAY_MS)
    expect(storage.entries.get('peerlink:draft:alice')).toBe('a long reply I do not want to type again')
  })
})
