import type {
  JsonWebKey,
  SigningAlgorithm,
  SigningKeyRecord,
  SigningKeyRepository,
  SigningKeyState,
} from '@sp-oauth/core'
import type { Kysely, Selectable } from 'kysely'
import type { SigningKeyTable, SpOAuthDatabase } from '../database.js'
import type { SqlDialect } from '../sql-dialect.js'
import { type RepositoryScope, updateOne } from './repository-scope.js'

/**
 * `SigningKeyRepository` on Kysely. Lookups by `kid` (primary key); `listByState` through the
 * `(state, created_at)` index, newest first.
 */
export function createSigningKeyRepository(scope: RepositoryScope): SigningKeyRepository {
  const { dialect } = scope
  const byKid = (kid: string) => (db: Kysely<SpOAuthDatabase>) =>
    db.selectFrom('signing_keys').selectAll().where('kid', '=', kid)
  return {
    insert: async (key) => {
      await scope.db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          algorithm: key.algorithm,
          state: key.state,
          public_jwk: dialect.encodeJson(key.publicJwk),
          private_jwk: dialect.encodeJson(key.privateJwk),
          created_at: key.createdAt,
          updated_at: key.updatedAt,
        })
        .execute()
    },
    findByKid: async (kid) => {
      const row = await byKid(kid)(scope.db).executeTakeFirst()
      return row === undefined ? null : toSigningKeyRecord(dialect, row)
    },
    listByState: async (states) => {
      // `IN ()` is not SQL: no states, no keys.
      if (states.length === 0) return []
      const rows = await scope.db
        .selectFrom('signing_keys')
        .selectAll()
        .where('state', 'in', [...states])
        .orderBy('created_at', 'desc')
        .execute()
      return rows.map((row) => toSigningKeyRecord(dialect, row))
    },
    updateState: async (kid, state, now) => {
      const row = await updateOne(
        scope,
        (db) => db.updateTable('signing_keys').set({ state, updated_at: now }).where('kid', '=', kid),
        byKid(kid),
        // Setting the state a key already has may count as no affected row on MySQL.
        () => true,
      )
      return row === null ? null : toSigningKeyRecord(dialect, row)
    },
    updatePrivateJwk: async (kid, privateJwk) => {
      const row = await updateOne(
        scope,
        (db) =>
          db
            .updateTable('signing_keys')
            .set({ private_jwk: dialect.encodeJson(privateJwk) })
            .where('kid', '=', kid),
        byKid(kid),
        // Writing the value a key already has may count as no affected row on MySQL.
        () => true,
      )
      return row === null ? null : toSigningKeyRecord(dialect, row)
    },
  }
}

function toSigningKeyRecord(dialect: SqlDialect, row: Selectable<SigningKeyTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    algorithm: row.algorithm as SigningAlgorithm,
    state: row.state as SigningKeyState,
    publicJwk: dialect.decodeJson(row.public_jwk) as JsonWebKey,
    privateJwk: dialect.decodeJson(row.private_jwk) as JsonWebKey,
    createdAt: dialect.decodeDate(row.created_at),
    updatedAt: dialect.decodeDate(row.updated_at),
  }
}
