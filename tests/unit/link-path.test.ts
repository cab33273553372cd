import { describe, expect, it } from 'vitest'
import { reroute } from '../../src/hooks.ts'
import { InvalidLinkError, parsePeerId } from '../../src/lib/p2p/links.ts'
import { decodedPath } from '../../src/lib/shared/link-path.ts'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

/** What SvelteKit's client router makes of a path (decode_pathname, then decode_params). */
function routerParam (pathname: string): string {
  return decodeURIComponent((decodedPath(pathname) ?? '').slice('/p/'.length))
}

function pathDecodes (pathname: string): boolean {
  return decodedPath(pathname) != null
}

function rerouted (path: string): string | undefined {
  const url = new URL(path, 'https://peerlink.example')
  return reroute({ url, fetch }) as string | undefined
}

describe('paths that do not decode', () => {
  it('should tell a path the router can decode from one it would throw on', () => {
    expect(decodedPath(`/p/${PEER}`)).toBe(`/p/${PEER}`)
    expect(decodedPath('/p/caf%C3%A9')).toBe('/p/café')
    // an escaped percent sign decodes: the router splits on it before decoding
    expect(pathDecodes('/p/100%25')).toBe(true)
    expect(pathDecodes(`/p/${PEER}%E0`)).toBe(false)
    expect(pathDecodes(`/p/${PEER.slice(0, 20)}%`)).toBe(false)
    expect(pathDecodes('/p/%C3%28')).toBe(false)
  })

  it('should leave a good link alone and send a damaged one to the page that says so', () => {
    expect(rerouted(`/p/${PEER}`)).toBeUndefined()
    expect(rerouted('/backup')).toBeUndefined()
    const damaged = rerouted(`/p/${PEER.slice(0, 30)}%E0`)
    expect(damaged).toBeDefined()
    // the router can take the new path, and the page refuses its peer ID as damaged
    expect(pathDecodes(damaged ?? '')).toBe(true)
    expect(() => parsePeerId(routerParam(damaged ?? ''))).toThrow(InvalidLinkError)
    expect(() => parsePeerId(routerParam(damaged ?? ''))).toThrow('not valid')
  })

  it('should send any other path that does not decode to a path that does', () => {
    const other = rerouted('/backup%E0')
    expect(other).toBeDefined()
    expect(other?.startsWith('/p/')).toBe(false)
    expect(pathDecodes(other ?? '')).toBe(true)
  })
})
