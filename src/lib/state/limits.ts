// The UI stops where the wire protocol would refuse: a longer name or text
// would be rejected by the peer's codec, so the UI never sends one (the
// message field holds a longer paste, and says it is too long to send).
export { MAX_NAME_LENGTH, MAX_TEXT_LENGTH as MAX_MESSAGE_LENGTH } from '../p2p/chat/constants.ts'
