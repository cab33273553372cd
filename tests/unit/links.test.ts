import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { InvalidLinkError, formatShareLink, parsePeerId, parseRelayHint, parseShareLink } from '../../src/lib/p2p/links.ts'
import { linkTarget } from '../../src/lib/state/links.ts'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

/** Milliseconds for parsing what would take the quadratic parse hours; the linear one takes a few. */
const PARSE_DEADLINE_MS = 10_000

/** What parsePeerId says of `text` (its error's message), run in a worker that is stopped at the deadline. */
async function parseInWorker (text: string): Promise<string> {
  const links = new URL('../../src/lib/p2p/links.ts', import.meta.url).href
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads')
    import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(links)}) }).then(({ parsePeerId }) => {
      try { parsePeerId(workerData); parentPort.postMessage('parsed') } catch (err) { parentPort.postMessage(err.message) }
    })`, { eval: true, workerData: text })
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no answer in ${PARSE_DEADLINE_MS} ms`)) }, PARSE_DEADLINE_MS)
      worker.once('message', (message: string) => { clearTimeout(timer); resolve(message) })
      worker.once('error', err => { clearTimeout(timer); reject(err) })
    })
  } finally {
    await worker.terminate()
  }
}

async function newPeerId () {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('share links', () => {
  it('formats <origin>/p/<peerId> and parses it back to the same peer', async () => {
    const peer = await newPeerId()
    const link = formatShareLink('https://chat.example.org', peer)
    expect(link).toBe(`https://chat.example.org/p/${peer.toString()}`)
    const parsed = parseShareLink(link)
    expect(parsed.peerId.equals(peer)).toBe(true)
    expect(parsed.relay).toBeUndefined()
  })

  it('carries a relay hint through format and parse', async () => {
    const peer = await newPeerId()
    const link = formatShareLink('http://localhost:9090', peer, RELAY)
    expect(parseShareLink(link).relay).toBe(RELAY)
    expect(await linkTarget(link, 'http://localhost:9090')).toBe(`/p/${peer.toString()}?relay=${encodeURIComponent(RELAY)}`)
  })

  it('should read a link copied with the end of its sentence, the punctuation left out', async () => {
    const peer = await newPeerId()
    for (const end of ['.', ',', ').', '!', '?"']) {
      expect(parseShareLink(`https://peerlink.example/p/${peer.toString()}${end}`).peerId.equals(peer)).toBe(true)
      expect(parsePeerId(`${peer.toString()}${end}`).equals(peer)).toBe(true)
    }
    expect(() => parsePeerId('.')).toThrow(/no peer ID/)
  })

  // A URL can be 2 MB, and the service worker opens any of them. A run of
  // punctuation that long, then a letter, took the end-of-sentence regex
  // hours (quadratic). The parse runs in a worker stopped after
  // PARSE_DEADLINE_MS, since a page's own code cannot be interrupted.
  it('should reject a link as long as a URL can be, made of punctuation, as damaged without holding the page', { timeout: PARSE_DEADLINE_MS * 2 }, async () => {
    expect(await parseInWorker(`${'.'.repeat(2_000_000)}x`)).toMatch(/damaged/)
  })

  it('should reject a peer ID that is not base58', () => {
    expect(() => parsePeerId('not-a-peer-id')).toThrow(InvalidLinkError)
    expect(() => parsePeerId('')).toThrow(/no peer ID/)
  })

  it('should reject base58 text that is not a peer ID', () => {
    expect(() => parsePeerId('12D3KooWnotreallyapeeridatall0000000000000000000000')).toThrow(InvalidLinkError)
    expect(() => parsePeerId('1'.repeat(200))).toThrow(InvalidLinkError)
  })

  it('should refuse a libp2p peer ID of another key type as not a Peerlink user', async () => {
    for (const type of ['RSA', 'secp256k1'] as const) {
      const other = peerIdFromPrivateKey(await generateKeyPair(type)).toString()
      expect(() => parsePeerId(other)).toThrow(/not a Peerlink user/)
    }
  })

  it('should reject links that are not Peerlink links', () => {
    expect(() => parseShareLink('https://example.org/somewhere')).toThrow(/not a Peerlink link/)
    expect(() => parseShareLink('http://[bad')).toThrow(InvalidLinkError)
  })

  it('should take a link with one trailing slash as the link, and no more than one', async () => {
    const peer = await newPeerId()
    expect(parseShareLink(`https://x.example/p/${peer.toString()}/`).peerId.toString()).toBe(peer.toString())
    expect(() => parseShareLink(`https://x.example/p/${peer.toString()}//`)).toThrow(InvalidLinkError)
    expect(() => parseShareLink(`https://x.example/p/${peer.toString()}/more`)).toThrow(InvalidLinkError)
  })

  it('should find the link in a share that came as one message with words around it', async () => {
    const peer = await newPeerId()
    const link = formatShareLink('https://chat.example.org', peer, RELAY)
    const target = `/p/${peer.toString()}?relay=${encodeURIComponent(RELAY)}`
    expect(await linkTarget(`Open this link to chat with me on Peerlink: ${link}`, 'https://chat.example.org')).toBe(target)
    expect(await linkTarget(`Chat with me on Peerlink\n${link}.`, 'https://chat.example.org')).toBe(target)
    expect(await linkTarget(`  ${link}  `, 'https://chat.example.org')).toBe(target)
    // no link in it: said so, as for any text that is not a link
    await expect(linkTarget('Open this link to chat with me on Peerlink:', 'https://chat.example.org')).rejects.toThrow(InvalidLinkError)
  })

  it('should reject a link cut off in the middle of a percent escape with a clear error', () => {
    expect(() => parseShareLink('https://x.example/p/%E0%A4%A')).toThrow(InvalidLinkError)
  })

  it('should reject a malformed relay hint rather than ignore it', () => {
    expect(parseRelayHint(null)).toBeUndefined()
    expect(() => parseRelayHint('/ip4/1.2.3.4/tcp/1/ws')).toThrow(/relay address is not valid/)
    expect(() => parseRelayHint('garbage')).toThrow(InvalidLinkError)
    expect(() => parseRelayHint(`${RELAY}${'/ws'.repeat(200)}`)).toThrow(/too long/)
  })
})
