/**
 * What a client is counted under by the relay's per-IP limits: one IPv4
 * address, or one IPv6 /64.
 */
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/**
 * IPv6 hextets that name one host's network. A host (a VPS, a home router's
 * LAN) is given a whole /64 and may use any address in it: counted per
 * address, one host could open 2^64 times the limit. Per /64 an IPv6 host
 * counts like an IPv4 host behind its NAT.
 */
const IPV6_HOST_PREFIX_HEXTETS = 4

/** The first IPV6_HOST_PREFIX_HEXTETS hextets of an IPv6 address, as `a:b:c:d::/64`. */
function ipv6Network (address: string): string {
  const [head, tail] = address.split('%')[0].split('::')
  // an embedded IPv4 address (a.b.c.d) fills the last two hextets
  const hextets = (part: string | undefined): string[] => part == null || part === ''
    ? []
    : part.split(':').flatMap(h => h.includes('.') ? ['0', '0'] : [h])
  const left = hextets(head)
  const right = hextets(tail)
  const all = tail == null ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  const prefix = all.slice(0, IPV6_HOST_PREFIX_HEXTETS).map(h => parseInt(h, 16).toString(16))
  return `${prefix.join(':')}::/${IPV6_HOST_PREFIX_HEXTETS * 16}`
}

/** What a client is counted under: its IPv4 address (also when IPv4-mapped), or its IPv6 /64. */
export function clientKey (address: string): string {
  const text = address.trim()
  if (text.toLowerCase().startsWith('::ffff:') && text.includes('.')) return text.slice(7)
  return isIP(text) === 6 ? ipv6Network(text) : text
}

export function clientAddress (req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    // the last entry is the one our own reverse proxy appended; the ones before it are the client's say-so
    const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map(part => part.trim()).filter(part => part !== '')
    if (forwarded.length > 0) return clientKey(forwarded[forwarded.length - 1])
  }
  return clientKey(req.socket.remoteAddress ?? 'unknown')
}
