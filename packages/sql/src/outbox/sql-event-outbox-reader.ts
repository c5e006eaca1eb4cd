import type { EventOutboxReader, OAuthEvent, OutboxEntry } from '@sp-oauth/core'
import type { Kysely } from 'kysely'
import type { SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'

/**
 * `EventOutboxReader` on Kysely. Each `relayBatch` is one transaction of its own, at
 * `READ COMMITTED`, on a connection of its own (never a unit of work's):
 *
 * 1. `SELECT … WHERE delivered_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED` claims
 *    rows no other batch holds (through the `(delivered_at, id)` index);
 * 2. a plain read finds, per claimed aggregate, the smallest undelivered id below the largest
 *    claimed one that this batch did not claim (held by another batch); only claimed rows below it
 *    are kept, so an aggregate's order holds across concurrent relays (the
 *    `(aggregate_id, delivered_at, id)` index);
 * 3. `deliver` gets the kept rows, parsed back into events, in id order;
 * 4. once it resolves, `UPDATE … SET delivered_at = :now WHERE id IN (…)` and commit; if it rejects,
 *    rollback (the row locks go, the rows stay undelivered) and the same error.
 *
 * `READ COMMITTED`: at higher levels PostgreSQL fails a lock on a row changed since the snapshot,
 * and MySQL's gap locks would block appends. A batch is never retried once `deliver` ran: delivery
 * is at least once, and a failed batch is the next batch's to repeat. PGlite is one connection, so
 * a batch holds it while `deliver` runs.
 */
export function createSqlEventOutboxReader(
  db: Kysely<SpOAuthDatabase>,
  dialect: SqlDialect,
): EventOutboxReader {
  return {
    relayBatch: async (limit, now, deliver) => {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new RangeError(`limit must be a positive integer, got ${String(limit)}`)
      }
      const deliveredAt = new Date(now.getTime())
      return db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          const claimed = await trx
            .selectFrom('event_outbox')
            .select(['id', 'aggregate_id', 'payload'])
            .where('delivered_at', 'is', null)
            .orderBy('id')
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .execute()
          if (claimed.length === 0) return 0
          const rows = claimed.map((row) => ({
            id: row.id,
            sequence: Number(row.id),
            aggregateId: row.aggregate_id,
            payload: row.payload,
          }))
          const blockedBelow = await oldestUnclaimed(trx, rows)
          const kept = rows.filter((row) => {
            const oldest = blockedBelow.get(row.aggregateId)
            return oldest === undefined || row.sequence < oldest
          })
          if (kept.length === 0) return 0
          const entries: OutboxEntry[] = kept.map((row) => ({
            sequence: row.sequence,
            aggregateId: row.aggregateId,
            event: decodeEvent(dialect, row.payload),
          }))
          // From a promise callback, so a `deliver` that throws at once is a rejection too.
          await Promise.resolve().then(() => deliver(entries))
          await trx
            .updateTable('event_outbox')
            .set({ delivered_at: deliveredAt })
            .where(
              'id',
              'in',
              kept.map((row) => row.id),
            )
            .execute()
          return kept.length
        })
    },
  }
}

/**
 * Per aggregate of `claimed`, the smallest id of an undelivered row of that aggregate that is not
 * among `claimed` and lies below the largest claimed id (a row another batch holds): a plain read,
 * which does not wait for those rows' locks.
 */
async function oldestUnclaimed(
  trx: Kysely<SpOAuthDatabase>,
  claimed: readonly { readonly id: unknown; readonly sequence: number; readonly aggregateId: string }[],
): Promise<Map<string, number>> {
  const maxId = claimed.reduce((max, row) => (row.sequence > max.sequence ? row : max)).id
  const aggregates = [...new Set(claimed.map((row) => row.aggregateId))]
  const rows = await trx
    .selectFrom('event_outbox')
    .select(['aggregate_id', (eb) => eb.fn.min('id').as('min_id')])
    .where('delivered_at', 'is', null)
    .where('aggregate_id', 'in', aggregates)
    .where('id', '<', maxId)
    .where(
      'id',
      'not in',
      claimed.map((row) => row.id),
    )
    .groupBy('aggregate_id')
    .execute()
  return new Map(rows.map((row) => [row.aggregate_id, Number(row.min_id)]))
}

/** An event as stored in `payload`, with `occurredAt` a `Date` again. */
function decodeEvent(dialect: SqlDialect, payload: unknown): OAuthEvent {
  const event = dialect.decodeJson(payload) as OAuthEvent & { occurredAt: unknown }
  return { ...event, occurredAt: new Date(String(event.occurredAt)) } as OAuthEvent
}
