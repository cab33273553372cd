/**
 * Chromium builds its WebRTC machinery (the peer connection factory and its
 * threads) when a page creates its first RTCPeerConnection: main-thread work
 * that otherwise lands in the middle of the first dial, between the signaling
 * stream and the SDP offer. Creating one while the page still waits for its
 * store and the relay's description does that work early. Nothing leaves the
 * page: without a description ICE never starts, and it is closed at once.
 */
export function warmUpWebRTC (): void {
  if (typeof RTCPeerConnection !== 'function') return
  try {
    new RTCPeerConnection({ iceServers: [] }).close()
  } catch {
    // WebRTC switched off by a policy or setting: the dial says so when it matters
  }
}
