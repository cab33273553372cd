import { afterEach, describe, expect, it, vi } from 'vitest'

// the machine's interfaces, as os.networkInterfaces() reports them
const interfaces = vi.hoisted(() => ({ value: {} as Record<string, Array<{ address: string, family: string, internal: boolean }>> }))
vi.mock('node:os', async importOriginal => ({ ...await importOriginal<typeof import('node:os')>(), networkInterfaces: () => interfaces.value }))
const { deriveAnnounce } = await import('../../relay/addresses.ts')

const lo = { address: '127.0.0.1', family: 'IPv4', internal: true }
const eth = (address: string): { address: string, family: string, internal: boolean } => ({ address, family: 'IPv4', internal: false })

afterEach(() => { interfaces.value = {} })

describe('relay addresses of a wildcard bind', () => {
  it('should not announce loopback to remote browsers when the machine has another address', () => {
    interfaces.value = { lo: [lo], eth0: [eth('192.0.2.2')] }
    expect(deriveAnnounce('0.0.0.0', 9090, false)).toEqual(['/ip4/192.0.2.2/tcp/9090/ws'])
  })

  it('should announce loopback when that is all there is', () => {
    interfaces.value = { lo: [lo] }
    expect(deriveAnnounce('0.0.0.0', 9090, true)).toEqual(['/ip4/127.0.0.1/tcp/9090/tls/ws'])
  })

  it('should announce no more addresses than a browser takes in relay.json', () => {
    interfaces.value = { eth0: Array.from({ length: 40 }, (_, i) => eth(`10.0.0.${i + 1}`)) }
    expect(deriveAnnounce('0.0.0.0', 9090, false)).toHaveLength(32)
  })
})
