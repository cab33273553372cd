import { TypedEventEmitter } from 'main-event'
import { peerIdFromString } from '@libp2p/peer-id'
import { connectPeer } from '../p2p/dial.ts'
import { isDirect, usableConnection } from '../p2p/connectivity.ts'
import { bytesToHex, hexToBytes } from '../store/ids.ts'
import type { PeerlinkNode } from '../p2p/node.ts'
import type { ChatFrame, ChatFrameEvent } from '../p2p/chat/index.ts'
import type { Store, StoredMessage } from '../store/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface MessengerEvents {
  /** a message was stored or changed state in this conversation */
  messages: CustomEvent<{ peer: string, messages: StoredMessage[] }>
  /** the conversation list changed (new conversation, name, last message, unread) */
  conversations: CustomEvent<{ peer: string }>
  /** connections to this peer changed, or a dial started or ended */
  link: CustomEvent<{ peer: string }>
  /** something went wrong that the user should know about */
  problem: CustomEvent<{ peer?: string, message: string }>
}

export interface MessengerOptions {
  node: PeerlinkNode
  store: Store
  /** relays to signal through, best first */
  relays: () => Multiaddr[]
  /** whether the user is looking at this conversation right now (then nothing is unread) */
  isReading: (peer: string) => boolean
  /** our display name, sent to peers in a profile frame */
  name: () => string
}

/**
 * Moves messages between the chat protocol and the store: every outgoing
 * message is stored before it is sent, every incoming one is stored before it
 * is acknowledged, and a message counts as delivered only when the peer's ack
 * for it arrives. The sender of a frame is always the authenticated remote
 * peer of its connection.
 */
export class Messenger extends TypedEventEmitter<MessengerEvents> {
  readonly #o: MessengerOptions
  readonly #dialing = new Map<string, Promise<Connection | undefined>>()
  readonly #flushing = new Map<string, Promise<void>>()
  readonly #hints = new Map<string, string>()

  constructor (options: MessengerOptions) {
    super()
    this.#o = options
  }

  start (): void {
    this.#o.node.services.chat.addEventListener('frame', this.#onFrame)
    this.#o.node.addEventListener('connection:open', this.#onConnection)
    this.#o.node.addEventListener('connection:close', this.#onConnection)
  }

  stop (): void {
    this.#o.node.services.chat.removeEventListener('frame', this.#onFrame)
    this.#o.node.removeEventListener('connection:open', this.#onConnection)
    this.#o.node.removeEventListener('connection:close', this.#onConnection)
  }

  isDialing (peer: string): boolean {
    return this.#dialing.has(peer)
  }

  /** Stores a new message (queued), then sends it if the peer is connected. */
  async send (peer: string, text: string): Promise<StoredMessage> {
    const message = await this.#o.store.messages.createOutgoing(peer, text)
    this.#emitMessages(peer, [message])
    this.safeDispatchEvent('conversations', { detail: { peer } })
    if (this.#usable(peer) != null) {
      void this.flush(peer)
    } else {
      void this.connect(peer)
    }
    return message
  }

  /**
   * Makes sure there is a direct connection to the peer, dialing through the
   * relay when there is none. Concurrent calls share one dial.
   */
  async connect (peer: string, relayHint?: string): Promise<Connection | undefined> {
    if (relayHint != null) this.#hints.set(peer, relayHint)
    const existing = this.#usable(peer)
    if (existing != null) return existing
    let dial = this.#dialing.get(peer)
    if (dial == null) {
      dial = this.#dial(peer).finally(() => {
        this.#dialing.delete(peer)
        this.#emitLink(peer)
      })
      this.#dialing.set(peer, dial)
      this.#emitLink(peer)
    }
    return await dial
  }

  async #dial (peer: string): Promise<Connection | undefined> {
    const hint = this.#hints.get(peer)
    const relays = [...(hint != null ? [hint] : []), ...this.#o.relays()]
    try {
      const conn = await connectPeer(this.#o.node, peerIdFromString(peer), relays)
      // a direct connection is greeted when it opens; the relayed rung is only chosen now
      if (!isDirect(conn)) void this.#greet(conn.remotePeer)
      return conn
    } catch {
      // an unreachable peer is not an error to shout about: the indicator
      // says Offline and the messages stay queued until the peer is back
      return undefined
    }
  }

  /** Sends every stored message the peer has not acknowledged yet, oldest first. */
  async flush (peer: string): Promise<void> {
    const running = this.#flushing.get(peer)
    if (running != null) return await running
    const work = this.#flush(peer).finally(() => this.#flushing.delete(peer))
    this.#flushing.set(peer, work)
    await work
  }

  async #flush (peer: string): Promise<void> {
    const peerId = peerIdFromString(peer)
    const pending = await this.#o.store.messages.outbox(peer)
    for (const message of pending) {
      if (this.#usable(peer) == null) return
      try {
        await this.#send(peerId, {
          type: 'text', id: hexToBytes(message.id), sentAt: message.sentAt, seq: message.seq, text: message.text
        })
      } catch {
        // the connection went away mid-flush; the message stays in the outbox
        return
      }
      if (message.status === 'queued') {
        this.#emitMessages(peer, await this.#o.store.messages.setStatus(peer, 'out', [message.id], 'sent'))
      }
    }
  }

  /**
   * Chat picks a direct connection when there is one; a relayed one is only
   * there when usableConnection() allowed it (the connectivity ladder).
   */
  async #send (peerId: PeerId, frame: ChatFrame): Promise<void> {
    await this.#o.node.services.chat.send(peerId, frame, { allowLimited: true })
  }

  #usable (peer: string): Connection | undefined {
    return usableConnection(this.#o.node, peerIdFromString(peer))
  }

  readonly #onConnection = (evt: CustomEvent<Connection>): void => {
    const peer = evt.detail.remotePeer.toString()
    this.#emitLink(peer)
    if (evt.type === 'connection:open' && isDirect(evt.detail)) {
      void this.#greet(evt.detail.remotePeer)
    }
  }

  /** A new direct connection: tell the peer our name and send what is waiting. */
  async #greet (peerId: PeerId): Promise<void> {
    const peer = peerId.toString()
    const name = this.#o.name()
    if (name !== '') {
      await this.#send(peerId, { type: 'profile', name }).catch(() => {})
    }
    await this.flush(peer)
  }

  readonly #onFrame = (evt: CustomEvent<ChatFrameEvent>): void => {
    const { from, frame } = evt.detail
    this.#handle(from, frame).catch(err => {
      this.safeDispatchEvent('problem', { detail: { peer: from.toString(), message: (err as Error).message } })
    })
  }

  async #handle (from: PeerId, frame: ChatFrame): Promise<void> {
    const peer = from.toString()
    const { store } = this.#o
    switch (frame.type) {
      case 'text': {
        const id = bytesToHex(frame.id)
        const { message, isNew } = await store.messages.saveIncoming(peer, { id, text: frame.text, sentAt: frame.sentAt, seq: frame.seq }, { unread: !this.#o.isReading(peer) })
        // acknowledge only what is stored, and acknowledge duplicates too: the
        // first ack may have been lost, which is why the peer sent it again
        await this.#send(from, { type: 'ack', ids: [frame.id] })
        if (isNew) {
          this.#emitMessages(peer, [message])
          this.safeDispatchEvent('conversations', { detail: { peer } })
        }
        break
      }
      case 'ack':
      case 'read': {
        const ids = frame.ids.map(bytesToHex)
        const changed = await store.messages.setStatus(peer, 'out', ids, frame.type === 'ack' ? 'delivered' : 'read')
        this.#emitMessages(peer, changed)
        break
      }
      case 'profile':
        await store.conversations.setName(peer, frame.name)
        this.safeDispatchEvent('conversations', { detail: { peer } })
        break
      case 'typing':
        break
    }
  }

  #emitMessages (peer: string, messages: StoredMessage[]): void {
    if (messages.length > 0) this.safeDispatchEvent('messages', { detail: { peer, messages } })
  }

  #emitLink (peer: string): void {
    this.safeDispatchEvent('link', { detail: { peer } })
  }
}
