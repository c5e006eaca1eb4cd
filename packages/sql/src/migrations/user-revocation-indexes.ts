import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import type { Migration } from './migration.js'
import { createIndexesIfMissing, dropIndexesIfPresent, type MigrationIndex } from './migration-indexes.js'

/** The indexes this migration creates, each on `(user_id, client_id)`. */
export const USER_REVOCATION_INDEXES: readonly MigrationIndex[] = [
  { index: 'access_tokens_user_client', table: 'access_tokens', columns: ['user_id', 'client_id'] },
  { index: 'refresh_tokens_user_client', table: 'refresh_tokens', columns: ['user_id', 'client_id'] },
  { index: 'consents_user_client', table: 'consents', columns: ['user_id', 'client_id'] },
]

/**
 * The migration `0006_user_revocation`: an index on `(user_id, client_id)` of each token table and
 * of the consents, so revoking a user's tokens (of one client or all) and listing or deleting their
 * consents is one indexed statement per table (listed in `LOOKUP_INDEXES`). Each index is created
 * only if missing (see `createIndexesIfMissing`); `down` drops them the same way.
 */
export function userRevocationIndexes(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: (migrationDb) => createIndexesIfMissing(migrationDb, names, dialect, USER_REVOCATION_INDEXES),
    down: (migrationDb) => dropIndexesIfPresent(migrationDb, names, dialect, USER_REVOCATION_INDEXES),
  }
}
