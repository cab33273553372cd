// Peerlink runs entirely in the browser: the libp2p node, the keys and the
// message store all live there, so nothing is rendered on a server.
export const ssr = false
export const prerender = false
