import { kadDHT, passthroughMapper, type KadDHT, type KadDHTComponents } from '@libp2p/kad-dht'
import { DHT_FIRST_SELF_QUERY_MS, DHT_PROTOCOL } from './constants.ts'
import { LOCATION_NAMESPACE, selectLocation, validateLocation } from '../shared/location-record.ts'

/**
 * The browser's side of Peerlink's DHT: a client that asks the relays (the
 * servers) and publishes and reads location records.
 */
export function clientDHT (): (components: KadDHTComponents) => KadDHT {
  return kadDHT({
    protocol: DHT_PROTOCOL,
    // browsers cannot accept inbound DHT queries from strangers, so they
    // only ask; the relays are the DHT servers
    clientMode: true,
    // every lookup waits for the first self-query; the library's 1 s
    // delay before it would be paid by the first friend looked up
    initialQuerySelfInterval: DHT_FIRST_SELF_QUERY_MS,
    // relays may sit on a LAN or localhost; keep their addresses
    peerInfoMapper: passthroughMapper,
    // where peers can be reached: signed by the peer, checked here before we dial
    validators: { [LOCATION_NAMESPACE]: validateLocation },
    selectors: { [LOCATION_NAMESPACE]: selectLocation }
  })
}
