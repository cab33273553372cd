/**
 * The NAT lab's network, as shell commands: five network namespaces and the
 * veth links between them, nothing in the machine's own namespace.
 *
 *   host A 10.0.1.2 -- 10.0.1.1 router A 203.0.113.10 --+
 *                                                        +-- bridge in "public" 203.0.113.1 (relay, coturn)
 *   host B 10.0.2.2 -- 10.0.2.1 router B 203.0.113.20 --+
 *
 * 203.0.113.0/24 is TEST-NET-3 (RFC 5737): it can never clash with a real
 * address. The routers have no default route, so nothing leaves the lab.
 */

/** How a router treats its hosts' traffic. */
export type NatKind =
  /** endpoint-independent mapping (plain MASQUERADE keeps the source port) */
  | 'cone'
  /** a new public port for every destination */
  | 'symmetric'
  /** cone for TCP, every UDP packet from the LAN dropped (some corporate networks) */
  | 'udp-blocked'

export const PUBLIC_IP = '203.0.113.1'
export const SIDES = ['a', 'b'] as const
export type Side = typeof SIDES[number]

export const WAN_IP: Record<Side, string> = { a: '203.0.113.10', b: '203.0.113.20' }
const LAN_NET: Record<Side, string> = { a: '10.0.1', b: '10.0.2' }

export interface Namespaces {
  pub: string
  router: Record<Side, string>
  host: Record<Side, string>
}

export function namespaces (prefix: string): Namespaces {
  return {
    pub: `${prefix}-pub`,
    router: { a: `${prefix}-ra`, b: `${prefix}-rb` },
    host: { a: `${prefix}-ha`, b: `${prefix}-hb` }
  }
}

export function all (ns: Namespaces): string[] {
  return [ns.pub, ...SIDES.map(s => ns.router[s]), ...SIDES.map(s => ns.host[s])]
}

/** One shell script that builds the whole network (each `ip` call takes a few ms). */
export function setupScript (ns: Namespaces): string {
  const lines = ['set -e']
  for (const name of all(ns)) {
    lines.push(`ip netns add ${name}`)
    lines.push(`ip -n ${name} link set lo up`)
    // IPv4 only: no link-local IPv6 candidates to reason about
    lines.push(`ip netns exec ${name} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`)
  }
  lines.push(`ip -n ${ns.pub} link add br0 type bridge`)
  lines.push(`ip -n ${ns.pub} addr add ${PUBLIC_IP}/24 dev br0`)
  lines.push(`ip -n ${ns.pub} link set br0 up`)
  for (const side of SIDES) {
    const router = ns.router[side]
    const host = ns.host[side]
    // both ends are created inside their namespaces: the root namespace never sees them
    lines.push(`ip -n ${router} link add wan type veth peer name up-${side} netns ${ns.pub}`)
    lines.push(`ip -n ${ns.pub} link set up-${side} master br0 up`)
    lines.push(`ip -n ${router} addr add ${WAN_IP[side]}/24 dev wan`)
    lines.push(`ip -n ${router} link set wan up`)
    lines.push(`ip -n ${router} link add lan type veth peer name eth0 netns ${host}`)
    lines.push(`ip -n ${router} addr add ${LAN_NET[side]}.1/24 dev lan`)
    lines.push(`ip -n ${router} link set lan up`)
    lines.push(`ip netns exec ${router} sysctl -qw net.ipv4.ip_forward=1`)
    lines.push(`ip -n ${host} addr add ${LAN_NET[side]}.2/24 dev eth0`)
    lines.push(`ip -n ${host} link set eth0 up`)
    lines.push(`ip -n ${host} route add default via ${LAN_NET[side]}.1`)
  }
  return lines.join('\n')
}

/** iptables-restore input for a home router of the given kind. */
export function routerRules (kind: NatKind): string {
  const masquerade = kind === 'symmetric' ? 'MASQUERADE --random-fully' : 'MASQUERADE'
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    `-A POSTROUTING -o wan -j ${masquerade}`,
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]',
    // the trap in PLATFORM.md: an unsolicited packet from the WAN must be
    // dropped, or its unreplied conntrack entry makes MASQUERADE pick a new
    // port for the host's own packet to the same peer, and punching fails
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -i wan -j DROP',
    '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    ...(kind === 'udp-blocked' ? ['-A FORWARD -i lan -p udp -j DROP'] : []),
    '-A FORWARD -i lan -o wan -j ACCEPT',
    'COMMIT',
    ''
  ].join('\n')
}
