import type { EventOutboxRepository, OAuthEvent } from '@sp-oauth/core'
import type { RepositoryScope } from './repository-scope.js'

/**
 * `EventOutboxRepository` on Kysely: `append` writes the events, in order, as one multi-row
 * `INSERT` into the outbox table, inside the transaction of the scope. Each row gets a growing
 * `id`, the event's id (unique, so a relay or consumer can deduplicate), its type, the client it
 * is about as the aggregate id ({@link aggregateIdOf}), and the whole event as JSON.
 */
export function createEventOutboxRepository(scope: RepositoryScope): EventOutboxRepository {
  const { dialect } = scope
  return {
    append: async (events) => {
      if (events.length === 0) return
      await scope.db
        .insertInto('event_outbox')
        .values(
          events.map((event) => ({
            event_id: event.id,
            type: event.type,
            aggregate_id: aggregateIdOf(event),
            payload: dialect.encodeJson(event),
            occurred_at: event.occurredAt,
            delivered_at: null,
          })),
        )
        .execute()
    },
  }
}

/**
 * The aggregate an event belongs to, for delivery in order per aggregate: the client it is about,
 * as `client:<clientId>`, or `client:unknown` for a failed authentication that named no client.
 */
export function aggregateIdOf(event: OAuthEvent): string {
  return event.clientId === null ? 'client:unknown' : `client:${event.clientId}`
}
