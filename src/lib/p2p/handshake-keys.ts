// types only: this module is in the first page's code, Noise is not
import type { KeyPair } from '@libp2p/noise'
import { webCryptoKeyPair } from './webcrypto-keys.ts'

/**
 * Key pairs kept ready. Each Noise handshake takes one (the relay, the peer's
 * circuit, another relay for a DHT lookup) and the node's static Noise key
 * takes one when it is created; a few cover a start-up, and the pool refills
 * behind them.
 */
export const HANDSHAKE_KEY_POOL_SIZE = 4

/** An X25519 key pair made by the browser's own crypto, off the page's main thread. */
export async function webCryptoX25519 (): Promise<KeyPair> {
  return await webCryptoKeyPair('X25519')
}

/**
 * X25519 key pairs made ahead of time. Noise asks for a key pair
 * synchronously at the start of every handshake, and the pure-JS generator
 * takes the page's main thread in the middle of its first dial (noble's own
 * built a table of curve points first, about 100 ms of a cold page; the
 * browser build's ladder, vite/browser/x25519.ts, takes 1 to 2 ms a key).
 * WebCrypto makes the same keys natively, but only asynchronously, so they
 * are made while the page waits for other things. Each pair is handed out
 * once; an empty pool (a browser without X25519 in WebCrypto, or a burst of
 * handshakes) falls back to the pure-JS generator.
 */
export class HandshakeKeyPool {
  readonly #size: number
  readonly #generate: () => Promise<KeyPair>
  readonly #ready: KeyPair[] = []
  #filling: Promise<void> | undefined
  #unsupported = false

  constructor (size = HANDSHAKE_KEY_POOL_SIZE, generate = webCryptoX25519) {
    this.#size = size
    this.#generate = generate
  }

  get available (): number {
    return this.#ready.length
  }

  /** Tops the pool up; resolves once it is full, or once the browser turned out unable to. */
  async fill (): Promise<void> {
    this.#filling ??= this.#topUp().finally(() => { this.#filling = undefined })
    await this.#filling
  }

  /** A fresh key pair if one is ready (never handed out twice); the pool refills behind it. */
  take (): KeyPair | undefined {
    const pair = this.#ready.shift()
    void this.fill()
    return pair
  }

  async #topUp (): Promise<void> {
    while (!this.#unsupported && this.#ready.length < this.#size) {
      try {
        this.#ready.push(await this.#generate())
      } catch {
        // no X25519 in this browser's WebCrypto: the pure-JS generator makes every key
        this.#unsupported = true
      }
    }
  }
}

/** The page's pool: the session fills it at start, the node's Noise takes from it. */
export const handshakeKeys = new HandshakeKeyPool()
