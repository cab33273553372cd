import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p's address manager keeps two kinds of mapping for the addresses a
// node listens on: a DNS name for an IP (`addDNSMapping`) and a NAT's public
// IP and port for a private one (`addPublicAddressMapping`, or an observed
// address it upgrades to one when a single TCP-like listener has it). A
// Peerlink page listens on no IP address of its own: it is reached through a
// relay's circuit and over WebRTC, whose addresses carry no mapping, and it
// never confirms observed addresses (no AutoNAT in the page). So both are dead
// code there: 4 KB of the first page's JavaScript (about 1.5 KB gzip). The
// browser build gives the address manager one mapping table that never holds
// anything: it matches no address, adds none to the node's own, and keeps no
// mapping it is given. The relay runs under Node without this plugin and keeps both.

const ADDRESS_MANAGER = /[\\/]libp2p[\\/]dist[\\/]src[\\/]address-manager[\\/]index\.js$/
export const MAPPING_MODULES = new Set(['./dns-mappings.js', './ip-mappings.js'])

export const NO_MAPPINGS_CODE = [
  // the methods the address manager calls, with the answers of an empty table
  'class NoMappings {',
  '  has () { return false }',
  '  add () {}',
  '  remove () { return false }',
  '  getAll () { return [] }',
  '  confirm () { return false }',
  '  unconfirm () { return false }',
  '}',
  'export { NoMappings as DNSMappings, NoMappings as IPMappings }'
].join('\n')

export function noAddressMappings (): Plugin {
  return swapImport({
    name: 'peerlink-no-address-mappings',
    importer: ADDRESS_MANAGER,
    sources: MAPPING_MODULES,
    code: NO_MAPPINGS_CODE
  })
}
