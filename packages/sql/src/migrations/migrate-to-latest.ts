import { type Kysely, type Migration, Migrator } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import { atomicIssuanceProcedures } from './atomic-issuance-procedures.js'
import { initialSchema } from './initial-schema.js'
import { pruneIndexes } from './prune-indexes.js'

/** Every migration, by name; names sort in the order they run. */
export function spOAuthMigrations(names: TableNames, dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial_schema': initialSchema(names, dialect),
    '0002_prune_indexes': pruneIndexes(names, dialect),
    '0003_atomic_issuance': atomicIssuanceProcedures(names, dialect),
  }
}

/**
 * Runs the migrations not yet run, in order, with Kysely's `Migrator`. Their history lives in
 * `<prefix>migration` (with `<prefix>migration_lock`), in the configured schema, so each prefix has
 * its own; running it again when everything is applied does nothing. Concurrent runs wait for each
 * other (Kysely takes a database lock).
 *
 * @param db a Kysely instance without the table name plugin (the migrator names its own tables).
 * @throws the error of the migration that failed; earlier ones stay applied.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  names: TableNames,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => spOAuthMigrations(names, dialect) },
    migrationTableName: names.migrationTable,
    migrationLockTableName: names.migrationLockTable,
    ...(names.schema === null ? {} : { migrationTableSchema: names.schema }),
  })
  const { error } = await migrator.migrateToLatest()
  if (error !== undefined) throw error
}
