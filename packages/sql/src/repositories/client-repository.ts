import type {
  ClientChanges,
  ClientRecord,
  ClientRepository,
  GrantType,
  TokenEndpointAuthMethod,
} from '@sp-oauth/core'
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely'
import type { ClientTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import type { RepositoryScope } from './repository-scope.js'
import { lookUpOne, updateOne } from './repository-scope.js'
import { decodeNullableDate, decodeStrings } from './row-codec.js'

/**
 * `ClientRepository` on Kysely. Lookups by `id`, the primary key; `list` walks the
 * `(created_at, id)` index of `0011_client_administration`. `update`, `updateSecret` and `revoke`
 * are single conditional updates (`… WHERE id = ? AND revoked_at IS NULL`, and for `update`
 * `AND updated_at = ?`), so of concurrent revokes or updates exactly one gets the record.
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
          token_endpoint_auth_method: client.tokenEndpointAuthMethod,
          access_token_ttl_minutes: client.accessTokenTtlMinutes,
          refresh_token_ttl_days: client.refreshTokenTtlDays,
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
    list: async ({ after, limit, includeRevoked, search }) => {
      let query = scope.db.selectFrom('clients').selectAll()
      if (after !== null) {
        // `created_at >= ?` bounds the index range on every database (a row comparison would not
        // on MariaDB, an OR of the two cases not on PostgreSQL); only ties are then filtered.
        query = query
          .where('created_at', '>=', after.createdAt)
          .where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb('id', '>', after.id)]))
      }
      if (!includeRevoked) query = query.where('revoked_at', 'is', null)
      if (search !== null) {
        const text = escapeLike(search.toLowerCase())
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(${sql.ref('name')})`, 'like', sql`${`%${text}%`} escape '!'`),
            eb(sql`lower(${sql.ref('id')})`, 'like', sql`${`${text}%`} escape '!'`),
          ]),
        )
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit).execute()
      return rows.map((row) => toClientRecord(dialect, row))
    },
    update: async (clientId, changes, now, ifUpdatedAt) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('clients')
            .set({ ...changedColumns(dialect, changes), updated_at: now })
            .where('id', '=', clientId)
            .where('revoked_at', 'is', null)
            .where('updated_at', '=', ifUpdatedAt),
        byId(clientId),
        // `updated_at` always changes (`now` is later), so affected rows tell whether it applied.
        'affected-rows',
      )
      return row === null ? null : toClientRecord(dialect, row)
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

/** `LIKE` matches `!`, `%` and `_` only as themselves once escaped with `!` (the `escape` given). */
function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (character) => `!${character}`)
}

/** The columns of the fields `changes` gives; a field given as `undefined` is left as it is. */
function changedColumns(dialect: SqlDialect, changes: ClientChanges): Updateable<ClientTable> {
  const columns: Updateable<ClientTable> = {}
  const given = <K extends keyof ClientChanges>(field: K): field is K => changes[field] !== undefined
  if (given('name')) columns.name = changes.name
  if (given('redirectUris')) columns.redirect_uris = dialect.encodeJson(changes.redirectUris)
  if (given('allowedGrants')) columns.allowed_grants = dialect.encodeJson(changes.allowedGrants)
  if (given('allowedScopes')) columns.allowed_scopes = dialect.encodeJson(changes.allowedScopes)
  if (given('applicationType')) columns.application_type = changes.applicationType
  if (given('silentConsent')) columns.silent_consent = changes.silentConsent
  if (given('resourceServer')) columns.resource_server = changes.resourceServer
  if (given('tokenEndpointAuthMethod')) columns.token_endpoint_auth_method = changes.tokenEndpointAuthMethod
  if (given('accessTokenTtlMinutes')) columns.access_token_ttl_minutes = changes.accessTokenTtlMinutes
  if (given('refreshTokenTtlDays')) columns.refresh_token_ttl_days = changes.refreshTokenTtlDays
  return columns
}

const AUTH_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'none']

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
    tokenEndpointAuthMethod: AUTH_METHODS.includes(row.token_endpoint_auth_method ?? '')
      ? (row.token_endpoint_auth_method as TokenEndpointAuthMethod)
      : null,
    accessTokenTtlMinutes:
      row.access_token_ttl_minutes === null ? null : Number(row.access_token_ttl_minutes),
    refreshTokenTtlDays: row.refresh_token_ttl_days === null ? null : Number(row.refresh_token_ttl_days),
    secretHash: row.secret_hash,
    secretHashKeyId: row.secret_hash_key_id,
    createdAt: dialect.decodeDate(row.created_at),
    updatedAt: dialect.decodeDate(row.updated_at),
    revokedAt: decodeNullableDate(dialect, row.revoked_at),
  }
}
