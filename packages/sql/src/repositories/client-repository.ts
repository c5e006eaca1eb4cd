import type { ClientRecord, ClientRepository, GrantType } from '@sp-oauth/core'
import type { Kysely, Selectable } from 'kysely'
import type { ClientTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { RepositoryScope } from './repository-scope.js'
import { lookUpOne, updateOne } from './repository-scope.js'
import { decodeNullableDate, decodeStrings } from './row-codec.js'

/**
 * `ClientRepository` on Kysely. Lookups by `id`, the primary key. `updateSecret` and `revoke` are
 * single conditional updates (`… WHERE id = ? AND revoked_at IS NULL`), so of concurrent revokes
 * exactly one gets the record.
 */
export function createClientRepository(scope: RepositoryScope): ClientRepository {
  const { dialect } = scope
  const byId = (clientId: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('clients').selectAll().where('id', '=', clientId)
  return {
    insert: async (client) => {
      await scope.db
        .insertInto('clients')
        .values({
          id: client.id,
          name: client.name,
          redirect_uris: dialect.encodeJson(client.redirectUris),
          allowed_grants: dialect.encodeJson(client.allowedGrants),
          allowed_scopes: dialect.encodeJson(client.allowedScopes),
          confidential: client.confidential,
          application_type: client.applicationType,
          silent_consent: client.silentConsent,
          resource_server: client.resourceServer,
          secret_hash: client.secretHash,
          secret_hash_key_id: client.secretHashKeyId,
          created_at: client.createdAt,
          updated_at: client.updatedAt,
          revoked_at: client.revokedAt,
        })
        .execute()
    },
    findById: async (clientId) => {
      const row = await lookUpOne(scope, 'clients.findById', clientId, byId)
      return row === undefined ? null : toClientRecord(dialect, row)
    },
    updateSecret: async (clientId, secret, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('clients')
            .set({
              secret_hash: secret.secretHash,
              secret_hash_key_id: secret.secretHashKeyId,
              updated_at: now,
            })
            .where('id', '=', clientId)
            .where('revoked_at', 'is', null),
        byId(clientId),
        // The same hash again changes nothing, which MySQL may count as no affected row.
        (stored) => stored.revoked_at === null,
      )
      return row === null ? null : toClientRecord(dialect, row)
    },
    revoke: async (clientId, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('clients')
            .set({ revoked_at: now, updated_at: now })
            .where('id', '=', clientId)
            .where('revoked_at', 'is', null),
        byId(clientId),
        'affected-rows',
      )
      return row === null ? null : toClientRecord(dialect, row)
    },
  }
}

export function toClientRecord(dialect: SqlDialect, row: Selectable<ClientTable>): ClientRecord {
  return {
    id: row.id,
    name: row.name,
    redirectUris: decodeStrings(dialect, row.redirect_uris),
    allowedGrants: decodeStrings<GrantType>(dialect, row.allowed_grants),
    allowedScopes: decodeStrings(dialect, row.allowed_scopes),
    confidential: dialect.decodeBoolean(row.confidential),
    applicationType: row.application_type === 'native' ? 'native' : 'web',
    silentConsent: dialect.decodeBoolean(row.silent_consent),
    resourceServer: dialect.decodeBoolean(row.resource_server),
    secretHash: row.secret_hash,
    secretHashKeyId: row.secret_hash_key_id,
    createdAt: dialect.decodeDate(row.created_at),
    updatedAt: dialect.decodeDate(row.updated_at),
    revokedAt: decodeNullableDate(dialect, row.revoked_at),
  }
}
