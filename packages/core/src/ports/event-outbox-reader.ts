import type { OAuthEvent } from '../domain/events.js'

/** One event in a transactional outbox, as a relay reads it. */
export interface OutboxEntry {
  /**
   * Assigned when the entry is stored, increasing with every append (an auto-increment column).
   * Gaps are fine; the order of two entries is the order of their sequence numbers.
   */
  readonly sequence: number
  /**
   * The aggregate the event belongs to, `eventAggregateId(event)` stored with it: entries of one
   * aggregate are delivered in sequence order, even by concurrent relays.
   */
  readonly aggregateId: string
  readonly event: OAuthEvent
}

/**
 * Hands the entries of one claimed batch to the event publisher. Resolves once they are delivered;
 * rejects to leave them undelivered.
 */
export type DeliverOutboxEntries = (entries: readonly OutboxEntry[]) => Promise<void>

/**
 * Reads the transactional outbox (see `TransactionalRepositories.outbox`) for a relay: claims
 * undelivered entries, hands them to a publisher and marks them delivered, at least once and in
 * order per aggregate. A SQL implementation runs each batch in one transaction with
 * `SELECT … FOR UPDATE SKIP LOCKED`.
 */
export interface EventOutboxReader {
  /**
   * Delivers one batch, in one transaction:
   *
   * 1. Claims up to `limit` undelivered entries, lowest sequence first, skipping entries another
   *    relay has claimed (`ORDER BY sequence LIMIT limit FOR UPDATE SKIP LOCKED`).
   * 2. Keeps, of each aggregate, only the claimed entries older than every undelivered entry of that
   *    aggregate it did not claim (one still claimed by another relay, or invisible at claim time):
   *    an entry is never delivered while an older entry of its aggregate is undelivered. The rest
   *    stay undelivered, for a later batch.
   * 3. When entries are left, calls `deliver` once with them, in sequence order (else does not call
   *    it and resolves with `0`).
   * 4. If `deliver` resolves, marks them delivered at `now`, commits and resolves with how many were
   *    delivered; they are never claimed again. If `deliver` rejects or throws, rolls back, leaving
   *    them undelivered and claimable by the next batch, and rejects with the same error.
   *
   * Concurrency: entries claimed by a batch in progress are invisible to every other batch, so two
   * relays never deliver the same entry at the same time. Atomicity: marking is all or nothing.
   * At least once: after a crash, a lost connection or a failed commit between `deliver` and the
   * mark, the entries come again, so a consumer (or the broker, by the event's `id`) must drop
   * duplicates. Entries handed to `deliver` are copies; `deliver` must not call the storage's
   * `unitOfWork` (a one-connection storage would wait for itself).
   *
   * @param limit a positive integer: at most this many entries are claimed.
   * @param now stored as the delivery time of the entries delivered.
   * @param deliver publishes the entries; see {@link DeliverOutboxEntries}.
   * @throws the error of `deliver`, or the storage's own error (nothing is then marked).
   */
  relayBatch(limit: number, now: Date, deliver: DeliverOutboxEntries): Promise<number>
}
