import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableNames } from '../table-names.js'
import type { Migration } from './migration.js'

/**
 * The migration `0008_client_resource_server`: `clients.resource_server`, whether a client may
 * introspect tokens issued to other clients. Existing clients get `false`: before it, any
 * confidential client could read any access token's subject and scopes, which is what this closes.
 * One `ALTER TABLE` with one column, so MySQL (whose DDL does not roll back) either has it or not.
 */
export function clientResourceServer(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      await schema
        .alterTable('clients')
        .addColumn('resource_server', types.boolean, (c) => c.notNull().defaultTo(false))
        .execute()
    },
    down: async (migrationDb) => {
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      await schema.alterTable('clients').dropColumn('resource_server').execute()
    },
  }
}
