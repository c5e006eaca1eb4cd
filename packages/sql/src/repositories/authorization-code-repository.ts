import type {
  AuthorizationCodeRecord,
  AuthorizationCodeRepository,
  CodeChallengeMethod,
} from '@sp-oauth/core'
import type { Kysely, Selectable } from 'kysely'
import type { AuthorizationCodeTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { readWithClient } from './read-with-client.js'
import { count, lookUpOne, type RepositoryScope, updateOne } from './repository-scope.js'
import { decodeNullableDate, decodeObject, decodeStrings } from './row-codec.js'

/**
 * `AuthorizationCodeRepository` on Kysely. Lookups by `code_hash`, the primary key; `deleteByClient`
 * through the `client_id` index, `deleteByUser` through `(user_id, client_id)`. `consume` is one conditional update
 * (`… WHERE code_hash = ? AND consumed_at IS NULL`): of concurrent callers exactly one matches.
 */
export function createAuthorizationCodeRepository(scope: RepositoryScope): AuthorizationCodeRepository {
  const { dialect } = scope
  const byHash = (codeHash: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash)
  return {
    insert: async (code) => {
      await scope.db
        .insertInto('authorization_codes')
        .values({
          code_hash: code.codeHash,
          hash_key_id: code.hashKeyId,
          grant_id: code.grantId,
          client_id: code.clientId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          redirect_uri_explicit: code.redirectUriExplicit,
          scopes: dialect.encodeJson(code.scopes),
          claims: dialect.encodeJson(code.claims),
          code_challenge: code.codeChallenge,
          code_challenge_method: code.codeChallengeMethod,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: code.consumedAt,
        })
        .execute()
    },
    findByHash: async (codeHash) => {
      const row = await lookUpOne(scope, 'authorization_codes.findByHash', codeHash, byHash)
      return row === undefined ? null : toAuthorizationCodeRecord(dialect, row)
    },
    findByHashWithClient: (codeHash, clientId) =>
      readWithClient(scope, {
        table: 'authorization_codes',
        hashColumn: 'code_hash',
        hash: codeHash,
        clientId,
        toRecord: (row: Selectable<AuthorizationCodeTable>) => toAuthorizationCodeRecord(dialect, row),
      }),
    consume: async (codeHash, now) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('authorization_codes')
            .set({ consumed_at: now })
            .where('code_hash', '=', codeHash)
            .where('consumed_at', 'is', null),
        byHash(codeHash),
        'affected-rows',
      )
      return row === null ? null : toAuthorizationCodeRecord(dialect, row)
    },
    deleteByClient: async (clientId) => {
      const result = await scope.db
        .deleteFrom('authorization_codes')
        .where('client_id', '=', clientId)
        .where('consumed_at', 'is', null)
        .executeTakeFirst()
      return count(result.numDeletedRows)
    },
    deleteByUser: async (userId, clientId) => {
      let statement = scope.db.deleteFrom('authorization_codes').where('user_id', '=', userId)
      if (clientId !== null) statement = statement.where('client_id', '=', clientId)
      const result = await statement.where('consumed_at', 'is', null).executeTakeFirst()
      return count(result.numDeletedRows)
    },
  }
}

function toAuthorizationCodeRecord(
  dialect: SqlDialect,
  row: Selectable<AuthorizationCodeTable>,
): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    hashKeyId: row.hash_key_id,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    redirectUriExplicit: dialect.decodeBoolean(row.redirect_uri_explicit),
    scopes: decodeStrings(dialect, row.scopes),
    claims: decodeObject(dialect, row.claims),
    codeChallenge: row.code_challenge,
    codeChallengeMethod: row.code_challenge_method as CodeChallengeMethod | null,
    createdAt: dialect.decodeDate(row.created_at),
    expiresAt: dialect.decodeDate(row.expires_at),
    consumedAt: decodeNullableDate(dialect, row.consumed_at),
  }
}
