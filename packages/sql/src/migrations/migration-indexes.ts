import { type Kysely, sql } from 'kysely'
import type { MigrationDb, SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableName, TableNames } from '../table-names.js'

/** An index a migration creates: its name without the table prefix, its table and columns. */
export interface MigrationIndex {
  readonly index: string
  readonly table: TableName
  readonly columns: readonly string[]
}

/**
 * Creates each index that is missing, so a rerun after a failure that could not roll the DDL back
 * (MySQL) picks up where it stopped. MySQL 8 has no `CREATE INDEX IF NOT EXISTS`: the catalog is
 * asked first there.
 */
export async function createIndexesIfMissing(
  migrationDb: MigrationDb,
  names: TableNames,
  dialect: SqlDialect,
  indexes: readonly MigrationIndex[],
): Promise<void> {
  const types = await dialect.schemaTypes(migrationDb)
  const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
  for (const { index, table, columns } of indexes) {
    const name = names.index(index)
    if (types.indexIfNotExists) {
      await schema
        .createIndex(name)
        .ifNotExists()
        .on(table)
        .columns([...columns])
        .execute()
    } else if (!(await mysqlIndexExists(migrationDb, names.tables[table], name))) {
      await schema
        .createIndex(name)
        .on(table)
        .columns([...columns])
        .execute()
    }
  }
}

/** Drops each index that exists, in the reverse order of `indexes`. */
export async function dropIndexesIfPresent(
  migrationDb: MigrationDb,
  names: TableNames,
  dialect: SqlDialect,
  indexes: readonly MigrationIndex[],
): Promise<void> {
  const types = await dialect.schemaTypes(migrationDb)
  const { schema } = migrationDb
  for (const { index, table } of [...indexes].reverse()) {
    const name = names.index(index)
    if (dialect.name === 'mysql') {
      // MySQL names the table in DROP INDEX; MySQL 8 has no DROP INDEX IF EXISTS either.
      if (types.indexIfNotExists) {
        await schema.dropIndex(name).ifExists().on(names.tables[table]).execute()
      } else if (await mysqlIndexExists(migrationDb, names.tables[table], name)) {
        await schema.dropIndex(name).on(names.tables[table]).execute()
      }
    } else {
      // PostgreSQL: an index lives in its table's schema.
      await (names.schema === null ? schema : schema.withSchema(names.schema))
        .dropIndex(name)
        .ifExists()
        .execute()
    }
  }
}

/** Whether the current MySQL database has an index `index` on `table` (physical names). */
async function mysqlIndexExists(db: Kysely<unknown>, table: string, index: string): Promise<boolean> {
  const { rows } = await sql<{ found: number }>`
    select 1 as found from information_schema.statistics
    where table_schema = database() and table_name = ${table} and index_name = ${index}
    limit 1`.execute(db)
  return rows.length > 0
}
