import type { OAuthEvent } from '../domain/events.js'

/** Hands events to whatever listens. Called only after the change they report is committed. */
export interface EventPublisher {
  /**
   * Publishes events in order. May reject; the core then reports the failure to
   * `onEventPublishFailed` and the request still succeeds, since its change is committed.
   */
  publish(events: readonly OAuthEvent[]): Promise<void>
}

/** A transactional outbox: events written in the same transaction as the change they report. */
export interface EventOutboxRepository {
  /** Appends events to the outbox, in order, inside the current transaction. */
  append(events: readonly OAuthEvent[]): Promise<void>
}
