import type { Migration } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableName, TableNames } from '../table-names.js'
import { mysqlIndexExists } from './prune-indexes.js'

/** The indexes this migration creates, each on `(user_id, client_id)`. */
export const USER_REVOCATION_INDEXES: readonly {
  readonly index: string
  readonly table: TableName
  readonly columns: readonly string[]
}[] = [
  { index: 'access_tokens_user_client', table: 'access_tokens', columns: ['user_id', 'client_id'] },
  { index: 'refresh_tokens_user_client', table: 'refresh_tokens', columns: ['user_id', 'client_id'] },
  { index: 'consents_user_client', table: 'consents', columns: ['user_id', 'client_id'] },
]

/**
 * The migration `0006_user_revocation`: an index on `(user_id, client_id)` of each token table and
 * of the consents, so revoking a user's tokens (of one client or all) and listing or deleting their
 * consents is one indexed statement per table (listed in `LOOKUP_INDEXES`). Each index is created
 * only if missing, so a rerun after a failure that could not roll the DDL back (MySQL) picks up
 * where it stopped; on MySQL 8, which has no `CREATE INDEX IF NOT EXISTS`, the catalog is asked
 * first. `down` drops them the same way.
 */
export function userRevocationIndexes(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      for (const { index, table, columns } of USER_REVOCATION_INDEXES) {
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
    },
    down: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const { schema } = migrationDb
      for (const { index, table } of [...USER_REVOCATION_INDEXES].reverse()) {
        const name = names.index(index)
        if (dialect.name === 'mysql') {
          if (types.indexIfNotExists) {
            await schema.dropIndex(name).ifExists().on(names.tables[table]).execute()
          } else if (await mysqlIndexExists(migrationDb, names.tables[table], name)) {
            await schema.dropIndex(name).on(names.tables[table]).execute()
          }
        } else {
          await (names.schema === null ? schema : schema.withSchema(names.schema))
            .dropIndex(name)
            .ifExists()
            .execute()
        }
      }
    },
  }
}
