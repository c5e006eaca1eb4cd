import { ConfigurationError } from '../errors/configuration-error.js'
import type { Clock } from '../ports/clock.js'
import type { EventOutboxReader } from '../ports/event-outbox-reader.js'
import type { EventPublisher } from '../ports/event-publisher.js'
import { batchSizeProblem, DEFAULT_OUTBOX_BATCH_SIZE, relayOutboxEvents } from './relay-outbox-events.js'

/** How long a relay waits between polls of the outbox unless told otherwise. */
export const DEFAULT_OUTBOX_INTERVAL_MS = 1000

/** Runs a task later: the one piece of a relay that needs a timer, so tests can run it by hand. */
export interface RelayScheduler {
  /** Calls `task` once, about `delayMs` from now; returns a function that cancels it if it has not run. */
  schedule(task: () => void, delayMs: number): () => void
}

/** A {@link RelayScheduler} on `globalThis.setTimeout`, which keeps the process alive while pending. */
export const timerRelayScheduler: RelayScheduler = {
  schedule: (task, delayMs) => {
    const handle = globalThis.setTimeout(task, delayMs)
    return () => globalThis.clearTimeout(handle)
  },
}

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  readonly reader: EventOutboxReader
  readonly publisher: EventPublisher
  /**
   * Called with every error of a polling round (the publisher's or the reader's); the relay then
   * waits `intervalMs` and tries again, so the entries are not lost. An error it throws is ignored.
   * Errors of {@link OutboxRelay.drain} go to its caller instead.
   */
  readonly onError: (error: unknown) => void
  /** Pause between polls, after the outbox was found empty or a round failed. Default 1000. */
  readonly intervalMs?: number
  /** At most this many entries per batch: a positive integer. Default 100. */
  readonly batchSize?: number
  /** The delivery time stored with delivered entries. Default: the system clock. */
  readonly clock?: Clock
  /** Default: {@link timerRelayScheduler}. */
  readonly scheduler?: RelayScheduler
}

/** A relay that delivers the outbox to an event publisher, polling in the background. */
export interface OutboxRelay {
  /**
   * Starts polling: a round at once, then one `intervalMs` after each round ends. A round relays
   * batches until one delivers nothing. Does nothing while started.
   */
  start(): void
  /**
   * Stops polling: no round starts any more, and the round in progress ends after its current
   * batch. Resolves once that batch has settled. The relay may be started again.
   */
  stop(): Promise<void>
  /**
   * Relays batches until one delivers nothing (the outbox is empty, or what is left is claimed by
   * other relays) and resolves with how many entries were delivered. Works whether started or not.
   *
   * @throws the first error of a batch; entries delivered by earlier batches stay delivered.
   */
  drain(): Promise<number>
}

/**
 * A relay for the transactional outbox: calls {@link relayOutboxEvents} in the background, or on
 * demand with `drain()`. The batches of one relay run one after another, never overlapping, so its
 * deliveries keep the outbox order. Several relays (processes or instances) may run on one outbox:
 * the reader never hands an entry to two of them at once, nor an entry whose aggregate has an older
 * undelivered one, so events of one aggregate (one client) stay in order across relays too.
 *
 * @throws ConfigurationError when `batchSize` or `intervalMs` is invalid, listing every problem
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE
  const intervalMs = options.intervalMs ?? DEFAULT_OUTBOX_INTERVAL_MS
  const problems: string[] = []
  const sizeProblem = batchSizeProblem(batchSize)
  if (sizeProblem !== null) problems.push(sizeProblem)
  if (!Number.isFinite(intervalMs) || intervalMs < 0) {
    problems.push(`intervalMs: must be a finite number of at least 0, got ${String(intervalMs)}`)
  }
  if (problems.length > 0) throw new ConfigurationError(problems)

  const scheduler = options.scheduler ?? timerRelayScheduler
  const deps = {
    reader: options.reader,
    publisher: options.publisher,
    ...(options.clock ? { clock: options.clock } : {}),
  }
  let started = false
  let cancelTimer: (() => void) | null = null
  let round: Promise<void> | null = null
  // Batches of this relay queue here, so a round and a drain() never overlap.
  let tail: Promise<unknown> = Promise.resolve()

  const batch = (): Promise<number> => {
    const result = tail.then(() => relayOutboxEvents(deps, { batchSize }))
    tail = result.catch(() => undefined)
    return result
  }

  const report = (error: unknown): void => {
    try {
      options.onError(error)
    } catch {
      // A failing error handler must not stop the polling.
    }
  }

  /** Relays until the outbox is empty or the relay stops; never rejects. */
  const runRound = async (): Promise<void> => {
    try {
      while (started && (await batch()) > 0) {
        // Relay until the outbox is empty, or until stopped.
      }
    } catch (error) {
      report(error)
    }
  }

  function poll(): void {
    cancelTimer = null
    const current: Promise<void> = runRound().then(() => {
      if (round === current) round = null
      if (started && cancelTimer === null) cancelTimer = scheduler.schedule(poll, intervalMs)
    })
    round = current
  }

  return {
    start: () => {
      if (started) return
      started = true
      // A round still ending after a stop() schedules the next poll itself.
      if (round === null && cancelTimer === null) cancelTimer = scheduler.schedule(poll, 0)
    },
    stop: async () => {
      started = false
      cancelTimer?.()
      cancelTimer = null
      await round
    },
    drain: async () => {
      let total = 0
      for (;;) {
        const delivered = await batch()
        if (delivered === 0) return total
        total += delivered
      }
    },
  }
}
