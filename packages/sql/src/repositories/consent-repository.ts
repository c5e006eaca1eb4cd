import type { ConsentRecord, ConsentRepository } from '@sp-oauth/core'
import type { Selectable } from 'kysely'
import type { ConsentTable } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { count, type RepositoryScope } from './repository-scope.js'
import { decodeObject, decodeStrings } from './row-codec.js'

/**
 * `ConsentRepository` on Kysely. The primary key `(client_id, user_id)` serves both `find` and, by
 * its first column, `deleteByClient`; the `(user_id, client_id)` index of `0006_user_revocation`
 * serves `listByUser` and `deleteByUser`. `upsert` is one statement (`ON CONFLICT … DO UPDATE` or
 * `ON DUPLICATE KEY UPDATE`), so concurrent callers never create a duplicate.
 */
export function createConsentRepository(scope: RepositoryScope): ConsentRepository {
  const { dialect } = scope
  return {
    find: async (userId, clientId) => {
      const row = await scope.db
        .selectFrom('consents')
        .selectAll()
        .where('client_id', '=', clientId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return row === undefined ? null : toConsentRecord(dialect, row)
    },
    upsert: async (consent) => {
      const changes = {
        scopes: dialect.encodeJson(consent.scopes),
        claims: dialect.encodeJson(consent.claims),
        created_at: consent.createdAt,
        updated_at: consent.updatedAt,
      }
      const insert = scope.db
        .insertInto('consents')
        .values({ client_id: consent.clientId, user_id: consent.userId, ...changes })
      await (dialect.upsert === 'on-conflict'
        ? insert.onConflict((conflict) => conflict.columns(['client_id', 'user_id']).doUpdateSet(changes))
        : insert.onDuplicateKeyUpdate(changes)
      ).execute()
    },
    delete: async (userId, clientId) => {
      const result = await scope.db
        .deleteFrom('consents')
        .where('client_id', '=', clientId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return count(result.numDeletedRows) > 0
    },
    deleteByClient: async (clientId) => {
      const result = await scope.db
        .deleteFrom('consents')
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      return count(result.numDeletedRows)
    },
    listByUser: async (userId) => {
      const rows = await scope.db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('client_id')
        .execute()
      return rows.map((row) => toConsentRecord(dialect, row))
    },
    deleteByUser: async (userId) => {
      const result = await scope.db.deleteFrom('consents').where('user_id', '=', userId).executeTakeFirst()
      return count(result.numDeletedRows)
    },
  }
}

function toConsentRecord(dialect: SqlDialect, row: Selectable<ConsentTable>): ConsentRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: decodeStrings(dialect, row.scopes),
    claims: decodeObject(dialect, row.claims),
    createdAt: dialect.decodeDate(row.created_at),
    updatedAt: dialect.decodeDate(row.updated_at),
  }
}
