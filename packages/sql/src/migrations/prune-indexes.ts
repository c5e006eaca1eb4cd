import type { SqlDialect } from '../sql-dialect.js'
import type { TableName, TableNames } from '../table-names.js'
import type { Migration } from './migration.js'
import { createIndexesIfMissing, dropIndexesIfPresent, type MigrationIndex } from './migration-indexes.js'

/** One candidate query of `pruneExpired()`, and the index whose range scan selects its rows. */
export interface PruneIndex {
  /** Which rows the query selects, in `pruneExpired()`'s words. */
  readonly prune: string
  readonly table: TableName
  /** The index's leading columns, in order: the column of the range condition first. */
  readonly columns: readonly string[]
  /** The index's name without the table prefix (the prefix is added as for every index). */
  readonly index: string
}

/**
 * Every candidate query of `pruneExpired()`, with the index a range scan of which selects its
 * rows: each query's condition is one `column < threshold`. The outbox's is served by an index of
 * the first migration, the consent tickets' by `0007_consent_tickets`; the others are created by
 * `0002_prune_indexes`. Tests check each one exists
 * in a migrated database and that PostgreSQL and MariaDB plan each query through it.
 */
export const PRUNE_INDEXES: readonly PruneIndex[] = [
  {
    prune: 'authorization codes expired before the retention',
    table: 'authorization_codes',
    columns: ['expires_at'],
    index: 'authorization_codes_expires_at',
  },
  {
    prune: 'access tokens expired before the retention',
    table: 'access_tokens',
    columns: ['expires_at'],
    index: 'access_tokens_expires_at',
  },
  {
    prune: 'access tokens revoked before the retention',
    table: 'access_tokens',
    columns: ['revoked_at'],
    index: 'access_tokens_revoked_at',
  },
  {
    prune: 'refresh tokens expired before the retention',
    table: 'refresh_tokens',
    columns: ['expires_at'],
    index: 'refresh_tokens_expires_at',
  },
  {
    prune: 'refresh tokens revoked before the retention',
    table: 'refresh_tokens',
    columns: ['revoked_at'],
    index: 'refresh_tokens_revoked_at',
  },
  {
    prune: 'used consent tickets expired before the retention',
    table: 'consent_tickets',
    columns: ['expires_at'],
    index: 'consent_tickets_expires_at',
  },
  {
    prune: 'outbox events delivered before the retention',
    table: 'event_outbox',
    columns: ['delivered_at'],
    index: 'event_outbox_undelivered',
  },
]

/** The indexes this migration creates (the outbox's comes from the first migration). */
const CREATED: readonly MigrationIndex[] = [
  { index: 'authorization_codes_expires_at', table: 'authorization_codes', columns: ['expires_at'] },
  { index: 'access_tokens_expires_at', table: 'access_tokens', columns: ['expires_at'] },
  { index: 'access_tokens_revoked_at', table: 'access_tokens', columns: ['revoked_at'] },
  { index: 'refresh_tokens_expires_at', table: 'refresh_tokens', columns: ['expires_at'] },
  { index: 'refresh_tokens_revoked_at', table: 'refresh_tokens', columns: ['revoked_at'] },
]

/**
 * The migration `0002_prune_indexes`: an index on `expires_at` and one on `revoked_at` of each
 * token table, and one on the codes' `expires_at` (listed in {@link PRUNE_INDEXES}), so each batch
 * of `pruneExpired()` finds its rows by a range scan instead of reading the table. Each index is
 * created only if missing (see `createIndexesIfMissing`); `down` drops them the same way.
 */
export function pruneIndexes(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: (migrationDb) => createIndexesIfMissing(migrationDb, names, dialect, CREATED),
    down: (migrationDb) => dropIndexesIfPresent(migrationDb, names, dialect, CREATED),
  }
}
