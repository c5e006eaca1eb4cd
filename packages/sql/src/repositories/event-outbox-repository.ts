import { type EventOutboxRepository, eventAggregateId, type OAuthEvent } from '@sp-oauth/core'
import type { Insertable } from 'kysely'
import type { EventOutboxTable } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { RepositoryScope } from './repository-scope.js'

/**
 * `EventOutboxRepository` on Kysely: `append` writes the events, in order, as one multi-row
 * `INSERT` into the outbox table, inside the transaction of the scope. Each row gets a growing
 * `id`, the event's id (unique, so a relay or consumer can deduplicate), its type, the core's
 * `eventAggregateId(event)` as the aggregate id, and the whole event as JSON.
 */
export function createEventOutboxRepository(scope: RepositoryScope): EventOutboxRepository {
  const { dialect } = scope
  return {
    append: async (events) => {
      if (events.length === 0) return
      await scope.db
        .insertInto('event_outbox')
        .values(events.map((event) => toOutboxRow(dialect, event)))
        .execute()
    },
  }
}

/**
 * The outbox row of `event` (its `id` is the database's), as `append` and atomic issuance write
 * it, so a relay cannot tell which of them wrote an event.
 */
export function toOutboxRow(dialect: SqlDialect, event: OAuthEvent): Insertable<EventOutboxTable> {
  return {
    event_id: event.id,
    type: event.type,
    aggregate_id: eventAggregateId(event),
    payload: dialect.encodeJson(event),
    occurred_at: event.occurredAt,
    delivered_at: null,
  }
}
