import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableNames } from '../table-names.js'
import { columnExists } from './column-exists.js'
import type { Migration } from './migration.js'
import { createIndexesIfMissing, dropIndexesIfPresent, type MigrationIndex } from './migration-indexes.js'

/** The index this migration creates: `ClientRepository.list` walks it, a page at a time. */
export const CLIENT_ADMINISTRATION_INDEXES: readonly MigrationIndex[] = [
  { index: 'clients_created', table: 'clients', columns: ['created_at', 'id'] },
]

const COLUMNS = ['token_endpoint_auth_method', 'access_token_ttl_minutes', 'refresh_token_ttl_days'] as const

/**
 * The migration `0011_client_administration`: three columns of `clients` and an index.
 *
 * - `token_endpoint_auth_method`: the one method a client may authenticate with. Existing
 *   confidential clients get `NULL` (either secret method, as before); existing public ones `none`.
 * - `access_token_ttl_minutes`, `refresh_token_ttl_days`: a client's own lifetimes, `NULL` (the
 *   server's) for every existing client.
 * - `(created_at, id)`: `listClients` pages through clients in registration order on it.
 *
 * Each column and the index are added only when missing, and the update that marks public clients
 * touches only rows still unmarked, so a rerun after a failure that could not roll the DDL back
 * (MySQL) picks up where it stopped. `down` drops them.
 */
export function clientAdministration(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const db = migrationDb.withPlugin(new TableNamePlugin(names))
      const table = names.tables.clients
      if (!(await columnExists(migrationDb, dialect, names, table, 'token_endpoint_auth_method'))) {
        await db.schema.alterTable('clients').addColumn('token_endpoint_auth_method', types.key).execute()
      }
      await db
        .updateTable('clients')
        .set({ token_endpoint_auth_method: 'none' })
        .where('confidential', '=', false)
        .where('token_endpoint_auth_method', 'is', null)
        .execute()
      for (const column of ['access_token_ttl_minutes', 'refresh_token_ttl_days']) {
        if (!(await columnExists(migrationDb, dialect, names, table, column))) {
          await db.schema.alterTable('clients').addColumn(column, 'integer').execute()
        }
      }
      await createIndexesIfMissing(migrationDb, names, dialect, CLIENT_ADMINISTRATION_INDEXES)
    },
    down: async (migrationDb) => {
      await dropIndexesIfPresent(migrationDb, names, dialect, CLIENT_ADMINISTRATION_INDEXES)
      const db = migrationDb.withPlugin(new TableNamePlugin(names))
      for (const column of [...COLUMNS].reverse()) {
        if (await columnExists(migrationDb, dialect, names, names.tables.clients, column)) {
          await db.schema.alterTable('clients').dropColumn(column).execute()
        }
      }
    },
  }
}
