import { ConfigurationError, type EventPublisher, type OAuthEvent } from '@sp-oauth/core'
import type { JetStreamPublishOptions, NatsConnection } from 'nats'
import { encodeOAuthEvent } from './decode-oauth-event.js'
import { subjectProblem } from './nats-subject.js'

/** The subject prefix events are published under unless told otherwise. */
export const DEFAULT_SUBJECT_PREFIX = 'sp-oauth.events'

/** Options of {@link createNatsJetStreamPublisher}. */
export interface NatsJetStreamPublisherOptions {
  /** An open connection (`connect()` of the `nats` package); the publisher never closes it. */
  readonly connection: NatsConnection
  /**
   * Each event goes to `${subjectPrefix}.${event.type}`, e.g. `sp-oauth.events.OAuthTokenIssued`.
   * Default `sp-oauth.events`. A stream must capture these subjects (see `ensureNatsStream`).
   */
  readonly subjectPrefix?: string
  /** The stream that must store the events: JetStream refuses a message any other stream would take. */
  readonly stream?: string
  /** How long to wait for each acknowledgement, in milliseconds. Default: the client's (5000). */
  readonly ackTimeoutMs?: number
}

/**
 * An `EventPublisher` that stores each event in a NATS JetStream stream, for the outbox relay
 * (`createOutboxRelay`) or as the server's `eventPublisher`.
 *
 * Each event is published to `${subjectPrefix}.${event.type}` as JSON (dates as ISO 8601 strings;
 * read it back with `decodeOAuthEvent`), with the JetStream message id (`Nats-Msg-Id`) set to the
 * event's `id`. The stream drops a message whose id it stored within its duplicate window, so when
 * the relay delivers a batch again after a crash (it delivers at least once), the stream keeps each
 * event once. The events of one call are published one after another, each awaiting its
 * acknowledgement, so the stream stores them in order and a failure stops the rest.
 *
 * @throws ConfigurationError when `subjectPrefix` or `ackTimeoutMs` is invalid
 */
export function createNatsJetStreamPublisher(options: NatsJetStreamPublisherOptions): EventPublisher {
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX
  const problems: string[] = []
  const prefixProblem = subjectProblem('subjectPrefix', prefix)
  if (prefixProblem !== null) problems.push(prefixProblem)
  const timeout = options.ackTimeoutMs
  if (timeout !== undefined && !(Number.isSafeInteger(timeout) && timeout > 0)) {
    problems.push(`ackTimeoutMs: must be a positive integer, got ${String(timeout)}`)
  }
  if (problems.length > 0) throw new ConfigurationError(problems)

  const jetStream = options.connection.jetstream()
  const shared: Partial<JetStreamPublishOptions> = {
    ...(options.stream !== undefined ? { expect: { streamName: options.stream } } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
  }
  return {
    /**
     * Publishes the events in order, each once its predecessor is acknowledged. Resolves when all
     * are stored (or recognised as duplicates); rejects with the client's error at the first one
     * that is not acknowledged (no stream captures its subject, timeout, wrong stream), leaving the
     * rest unpublished.
     */
    publish: async (events: readonly OAuthEvent[]): Promise<void> => {
      for (const event of events) {
        await jetStream.publish(`${prefix}.${event.type}`, encodeOAuthEvent(event), {
          ...shared,
          msgID: event.id,
        })
      }
    },
  }
}
