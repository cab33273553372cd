import { parseRelayInfo, type RelayInfo } from '../shared/relay-info.ts'
import { RELAY_INFO_TIMEOUT_MS } from './constants.ts'

// Apart from relays.ts (multiaddr parsing): the first page fetches the relay
// description before the libp2p code has loaded.

export class RelayUnavailableError extends Error {
  override name = 'RelayUnavailableError'
}

/** Fetches and checks the relay description served beside the app. */
export async function fetchRelayInfo (url = '/relay.json', fetchImpl: typeof fetch = fetch): Promise<RelayInfo> {
  let response: Response
  try {
    response = await fetchImpl(url, { cache: 'no-store', signal: AbortSignal.timeout(RELAY_INFO_TIMEOUT_MS) })
  } catch (err) {
    throw new RelayUnavailableError(`The relay cannot be reached (${(err as Error).message}).`)
  }
  if (!response.ok) {
    throw new RelayUnavailableError(`The relay answered ${response.status} for ${url}.`)
  }
  return parseRelayInfo(await response.json())
}
