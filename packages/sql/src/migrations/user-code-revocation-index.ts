import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import type { Migration } from './migration.js'
import { createIndexesIfMissing, dropIndexesIfPresent, type MigrationIndex } from './migration-indexes.js'

/** The index this migration creates. */
export const USER_CODE_REVOCATION_INDEXES: readonly MigrationIndex[] = [
  {
    index: 'authorization_codes_user_client',
    table: 'authorization_codes',
    columns: ['user_id', 'client_id'],
  },
]

/**
 * The migration `0009_user_code_revocation`: an index on `(user_id, client_id)` of the
 * authorization codes, so `revokeUserTokens` deletes a user's unredeemed codes (of one client or
 * all) in one indexed statement, as `0006_user_revocation` does for tokens and consents.
 */
export function userCodeRevocationIndex(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: (migrationDb) => createIndexesIfMissing(migrationDb, names, dialect, USER_CODE_REVOCATION_INDEXES),
    down: (migrationDb) => dropIndexesIfPresent(migrationDb, names, dialect, USER_CODE_REVOCATION_INDEXES),
  }
}
