import type {
  AccessTokenFormat,
  AccessTokenRecord,
  AccessTokenRepository,
  BearerTokenRecord,
  GrantType,
} from '@sp-oauth/core'
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { AccessTokenTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import {
  lookUpOne,
  type RepositoryScope,
  revokeAllOfUser,
  revokeAllWhere,
  updateOne,
} from './repository-scope.js'
import { decodeNullableDate, decodeObject, decodeStrings } from './row-codec.js'

/**
 * `AccessTokenRepository` on Kysely. Lookups by `id` (primary key) and `token_hash` (unique index;
 * JWTs have none, and several `NULL`s are allowed), one table each: the bearer check's one round
 * trip; bulk revocations through the `family_id`, `client_id` and `(user_id, client_id)` indexes.
 * `revoke` is one conditional update (`… AND revoked_at IS NULL`).
 */
export function createAccessTokenRepository(scope: RepositoryScope): AccessTokenRepository {
  const { dialect } = scope
  const byId = (tokenId: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('access_tokens').selectAll().where('id', '=', tokenId)
  const byHash = (tokenHash: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('access_tokens').selectAll().where('token_hash', '=', tokenHash)
  const bearerByHash = (tokenHash: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('access_tokens').select(BEARER_COLUMNS).where('token_hash', '=', tokenHash)
  return {
    insert: async (token) => {
      await scope.db.insertInto('access_tokens').values(toAccessTokenRow(dialect, token)).execute()
    },
    findByHash: async (tokenHash) => {
      const row = await lookUpOne(scope, 'access_tokens.findByHash', tokenHash, byHash)
      return row === undefined ? null : toAccessTokenRecord(dialect, row)
    },
    findBearerByHash: async (tokenHash) => {
      const row = await lookUpOne(scope, 'access_tokens.findBearerByHash', tokenHash, bearerByHash)
      return row === undefined ? null : toBearerTokenRecord(dialect, row)
    },
    findById: async (tokenId) => {
      const row = await lookUpOne(scope, 'access_tokens.findById', tokenId, byId)
      return row === undefined ? null : toAccessTokenRecord(dialect, row)
    },
    revoke: async (tokenId, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('access_tokens')
            .set({ revoked_at: now })
            .where('id', '=', tokenId)
            .where('revoked_at', 'is', null),
        byId(tokenId),
        'affected-rows',
      )
      return row === null ? null : toAccessTokenRecord(dialect, row)
    },
    revokeFamily: (familyId, now) => revokeAllWhere(scope.db, 'access_tokens', 'family_id', familyId, now),
    revokeByClient: (clientId, now) => revokeAllWhere(scope.db, 'access_tokens', 'client_id', clientId, now),
    revokeByUser: (userId, clientId, now) =>
      revokeAllOfUser(scope.db, 'access_tokens', userId, clientId, now),
  }
}

/** The row that stores `token`: every column, as `insert` and atomic issuance write it. */
export function toAccessTokenRow(
  dialect: SqlDialect,
  token: AccessTokenRecord,
): Insertable<AccessTokenTable> {
  return {
    id: token.id,
    token_hash: token.tokenHash,
    hash_key_id: token.hashKeyId,
    format: token.format,
    client_id: token.clientId,
    user_id: token.userId,
    grant_type: token.grantType,
    scopes: dialect.encodeJson(token.scopes),
    claims: dialect.encodeJson(token.claims),
    family_id: token.familyId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt,
  }
}

/**
 * The columns a bearer check reads: 8 of 13. The hottest read of all; the hash, its key, the
 * format, the family and the creation time would cost the driver a timestamp and four strings more
 * to parse per call.
 */
const BEARER_COLUMNS = [
  'id',
  'client_id',
  'user_id',
  'grant_type',
  'scopes',
  'claims',
  'expires_at',
  'revoked_at',
] as const satisfies readonly (keyof AccessTokenTable)[]

function toBearerTokenRecord(
  dialect: SqlDialect,
  row: Pick<Selectable<AccessTokenTable>, (typeof BEARER_COLUMNS)[number]>,
): BearerTokenRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    userId: row.user_id,
    grantType: row.grant_type as GrantType,
    scopes: decodeStrings(dialect, row.scopes),
    claims: decodeObject(dialect, row.claims),
    expiresAt: dialect.decodeDate(row.expires_at),
    revokedAt: decodeNullableDate(dialect, row.revoked_at),
  }
}

function toAccessTokenRecord(dialect: SqlDialect, row: Selectable<AccessTokenTable>): AccessTokenRecord {
  return {
    ...toBearerTokenRecord(dialect, row),
    tokenHash: row.token_hash,
    hashKeyId: row.hash_key_id,
    format: row.format as AccessTokenFormat,
    familyId: row.family_id,
    createdAt: dialect.decodeDate(row.created_at),
  }
}
