import { systemClock } from '../crypto/system-clock.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import type { Clock } from '../ports/clock.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'
import type { EventPublisher } from '../ports/event-publisher.js'

/** How many entries a relay claims per batch unless told otherwise. */
export const DEFAULT_OUTBOX_BATCH_SIZE = 100

/** The ports {@link relayOutboxEvents} uses. */
export interface RelayOutboxEventsDeps {
  readonly reader: EventOutboxReader
  readonly publisher: EventPublisher
  /** The delivery time stored with delivered entries. Default: the system clock. */
  readonly clock?: Clock
}

/** Options of {@link relayOutboxEvents}. */
export interface RelayOutboxEventsOptions {
  /** At most this many entries per batch: a positive integer. Default 100. */
  readonly batchSize?: number
}

/**
 * Delivers one batch of the outbox: claims up to `batchSize` undelivered entries (in sequence
 * order, never an entry whose aggregate has an older one still undelivered), publishes their events
 * in that order with one `publish` call, and marks them delivered only once `publish` resolves.
 * Resolves with how many were delivered; `0` when nothing could be claimed (then nothing is
 * published). Delivery is at least once: a failure before the mark leaves the entries for the next
 * batch, so the publisher (or its consumers) must drop duplicates by event `id`.
 *
 * @throws the publisher's error (nothing is marked delivered), or the reader's own error
 * @throws ConfigurationError when `batchSize` is not a positive integer
 */
export async function relayOutboxEvents(
  deps: RelayOutboxEventsDeps,
  options: RelayOutboxEventsOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE
  const problem = batchSizeProblem(batchSize)
  if (problem !== null) throw new ConfigurationError([problem])
  const now = (deps.clock ?? systemClock).now()
  return deps.reader.relayBatch(batchSize, now, (entries) =>
    deps.publisher.publish(entries.map((entry) => entry.event)),
  )
}

/** `batchSize: …` when `batchSize` is not a positive integer, else `null`. */
export function batchSizeProblem(batchSize: number): string | null {
  return Number.isSafeInteger(batchSize) && batchSize > 0
    ? null
    : `batchSize: must be a positive integer, got ${String(batchSize)}`
}
