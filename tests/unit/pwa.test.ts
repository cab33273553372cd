import { describe, expect, it } from 'vitest'
import { isAppPath } from '../../src/lib/shared/pwa.ts'

const PEER = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

describe('isAppPath', () => {
  it('should take the app\'s pages, a conversation link copied with sentence punctuation too', () => {
    for (const path of ['/', '/backup', '/diagnostics', `/p/${PEER}`, `/p/${PEER}.`, `/p/${PEER}).`]) {
      expect(isAppPath(path), path).toBe(true)
    }
  })

  it('should refuse the relay\'s live endpoints, whose tabs have no app to show a conversation', () => {
    for (const path of ['/metrics', '/relay.json', '/healthz']) {
      expect(isAppPath(path), path).toBe(false)
    }
  })

  it('should refuse files', () => {
    for (const path of ['/manifest.webmanifest', '/icon.svg', '/index.html', '/_app/version.json']) {
      expect(isAppPath(path), path).toBe(false)
    }
  })
})
