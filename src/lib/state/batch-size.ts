/**
 * Messages written in one IndexedDB transaction under a burst, on either
 * side. Each transaction is a flush to disk (strict durability) and a round
 * trip between the page and the browser's store, so fewer and larger ones
 * carry a burst faster: 5,000 messages went through 1.42× faster in batches
 * of 1,024 than of 256 (docs/performance.md), and 4,096 gained nothing more.
 * A person's messages go one at a time; batches form only when messages come
 * faster than they are written (a flood, or a long outbox sent on connect).
 */
export const MAX_BATCH = 1_024

/**
 * Batches of one peer's messages under way at once, on either side. The
 * database runs them one after the other all the same (each writes the
 * conversation), but the page clones and hands over the next batch's records
 * while the one before commits, instead of after: under a burst that was a
 * fifth of each batch's time, spent on the page's thread with the database idle.
 * More would only hold more in hand: the commits still come one at a time.
 */
export const BATCHES_IN_FLIGHT = 2
