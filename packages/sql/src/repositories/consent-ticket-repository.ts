import type { ConsentTicketRepository } from '@sp-oauth/core'
import { count, type RepositoryScope } from './repository-scope.js'

/**
 * `ConsentTicketRepository` on Kysely: `consume` is one `INSERT` that does nothing on a duplicate
 * nonce (`ON CONFLICT DO NOTHING`, or MySQL's `INSERT IGNORE`), so the primary key decides the one
 * winner: a concurrent insert of the same key waits for the first transaction, then inserts
 * nothing if it committed (or the row if it rolled back).
 */
export function createConsentTicketRepository(scope: RepositoryScope): ConsentTicketRepository {
  const { dialect } = scope
  return {
    consume: async (ticket, now) => {
      const insert = scope.db.insertInto('consent_tickets').values({
        nonce_hash: ticket.nonceHash,
        expires_at: ticket.expiresAt,
        consumed_at: now,
      })
      const result = await (dialect.upsert === 'on-conflict'
        ? insert.onConflict((conflict) => conflict.column('nonce_hash').doNothing())
        : insert.ignore()
      ).executeTakeFirst()
      return count(result.numInsertedOrUpdatedRows) === 1
    },
  }
}
