// The UI stops where the wire protocol would refuse: a longer name or text
// would be rejected by the peer's codec, so the fields never allow one.
export { MAX_NAME_LENGTH, MAX_TEXT_LENGTH as MAX_MESSAGE_LENGTH } from '../p2p/chat/constants.ts'
