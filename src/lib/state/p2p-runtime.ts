/**
 * Everything the state layer needs from libp2p and the chat protocol, in one
 * module that the session loads with `import()` (see session.svelte.ts). The
 * libp2p node and its dependencies are most of the app's JavaScript; kept out
 * of the first page, they download and compile while the first page renders
 * and the store opens, instead of before anything shows.
 *
 * Import it only dynamically: a static import pulls it back onto the first page.
 */
export { peerIdFromPrivateKey } from '@libp2p/peer-id'
export { assertKeyPair, createIdentity, identityFromBytes } from '../p2p/identity.ts'
export { findShareLink, formatShareLink, InvalidLinkError, parsePeerId, parseRelayHint, parseShareLink } from '../p2p/links.ts'
export { KnownRelays } from '../p2p/known-relays.ts'
export { Locator } from '../p2p/locator.ts'
export { createPeerlinkNode } from '../p2p/node.ts'
export { RelayKeeper } from '../p2p/relay-keeper.ts'
export { otherRelayAddresses, relayAddresses } from '../p2p/relays.ts'
export { Messenger } from './messenger.ts'
