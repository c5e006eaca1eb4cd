import type { RefreshTokenRecord, RefreshTokenRepository } from '@sp-oauth/core'
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { RefreshTokenTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { readWithClient } from './read-with-client.js'
import {
  lookUpOne,
  type RepositoryScope,
  revokeAllOfUser,
  revokeAllWhere,
  updateOne,
} from './repository-scope.js'
import { decodeNullableDate, decodeObject, decodeStrings } from './row-codec.js'

/**
 * `RefreshTokenRepository` on Kysely. Lookups by `token_hash` (unique index) and `id` (primary
 * key); `findByParentId` through the `(parent_id, created_at)` index, newest first; bulk
 * revocations through the `family_id` and `client_id` indexes. `markRotated` and `revoke` are one
 * conditional update each: of concurrent callers exactly one matches.
 */
export function createRefreshTokenRepository(scope: RepositoryScope): RefreshTokenRepository {
  const { dialect } = scope
  const byHash = (tokenHash: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash)
  const byId = (tokenId: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('refresh_tokens').selectAll().where('id', '=', tokenId)
  return {
    insert: async (token) => {
      await scope.db.insertInto('refresh_tokens').values(toRefreshTokenRow(dialect, token)).execute()
    },
    findByHash: async (tokenHash) => {
      const row = await lookUpOne(scope, 'refresh_tokens.findByHash', tokenHash, byHash)
      return row === undefined ? null : toRefreshTokenRecord(dialect, row)
    },
    findByHashWithClient: (tokenHash, clientId) =>
      readWithClient(scope, {
        table: 'refresh_tokens',
        hashColumn: 'token_hash',
        hash: tokenHash,
        clientId,
        toRecord: (row: Selectable<RefreshTokenTable>) => toRefreshTokenRecord(dialect, row),
      }),
    findByParentId: async (parentId) => {
      const row = await scope.db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('parent_id', '=', parentId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row === undefined ? null : toRefreshTokenRecord(dialect, row)
    },
    markRotated: async (tokenHash, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('refresh_tokens')
            .set({ rotated_at: now })
            .where('token_hash', '=', tokenHash)
            .where('rotated_at', 'is', null)
            .where('revoked_at', 'is', null),
        byHash(tokenHash),
        'affected-rows',
      )
      return row === null ? null : toRefreshTokenRecord(dialect, row)
    },
    revoke: async (tokenId, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('refresh_tokens')
            .set({ revoked_at: now })
            .where('id', '=', tokenId)
            .where('revoked_at', 'is', null),
        byId(tokenId),
        'affected-rows',
      )
      return row === null ? null : toRefreshTokenRecord(dialect, row)
    },
    revokeFamily: (familyId, now) => revokeAllWhere(scope.db, 'refresh_tokens', 'family_id', familyId, now),
    revokeByClient: (clientId, now) => revokeAllWhere(scope.db, 'refresh_tokens', 'client_id', clientId, now),
    revokeByUser: (userId, clientId, now) =>
      revokeAllOfUser(scope.db, 'refresh_tokens', userId, clientId, now),
  }
}

/** The row that stores `token`: every column, as `insert` and atomic issuance write it. */
export function toRefreshTokenRow(
  dialect: SqlDialect,
  token: RefreshTokenRecord,
): Insertable<RefreshTokenTable> {
  return {
    id: token.id,
    token_hash: token.tokenHash,
    hash_key_id: token.hashKeyId,
    family_id: token.familyId,
    parent_id: token.parentId,
    client_id: token.clientId,
    user_id: token.userId,
    scopes: dialect.encodeJson(token.scopes),
    claims: dialect.encodeJson(token.claims),
    access_token_id: token.accessTokenId,
    family_created_at: token.familyCreatedAt,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    rotated_at: token.rotatedAt,
    revoked_at: token.revokedAt,
  }
}

function toRefreshTokenRecord(dialect: SqlDialect, row: Selectable<RefreshTokenTable>): RefreshTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    hashKeyId: row.hash_key_id,
    familyId: row.family_id,
    parentId: row.parent_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: decodeStrings(dialect, row.scopes),
    claims: decodeObject(dialect, row.claims),
    accessTokenId: row.access_token_id,
    familyCreatedAt: dialect.decodeDate(row.family_created_at),
    createdAt: dialect.decodeDate(row.created_at),
    expiresAt: dialect.decodeDate(row.expires_at),
    rotatedAt: decodeNullableDate(dialect, row.rotated_at),
    revokedAt: decodeNullableDate(dialect, row.revoked_at),
  }
}
