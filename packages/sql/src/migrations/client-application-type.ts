import { sql } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableNames } from '../table-names.js'
import { columnExists } from './column-exists.js'
import type { Migration } from './migration.js'

/**
 * The migration `0004_client_application_type`: two columns of `clients`.
 *
 * - `application_type` (`web` | `native`, default `web`): only a native client's loopback redirect
 *   URIs match on any port (RFC 8252 §7.3). Existing clients become `web`, so their redirect URIs
 *   match exactly from now on; mark a native app with `UPDATE … SET application_type = 'native'`.
 * - `silent_consent`: whether a remembered consent may approve without the consent screen.
 *   Existing clients get the new default: `true` when confidential, `false` when public (whose
 *   `client_id` anyone can send, RFC 8252 §8.6).
 *
 * Each column is added only if missing, so a rerun after a failure that could not roll the DDL
 * back (MySQL) picks up where it stopped. `down` drops them.
 */
export function clientApplicationType(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const db = migrationDb.withPlugin(new TableNamePlugin(names))
      const table = names.tables.clients
      if (!(await columnExists(migrationDb, dialect, names, table, 'application_type'))) {
        await db.schema
          .alterTable('clients')
          .addColumn('application_type', types.key, (c) => c.notNull().defaultTo('web'))
          .execute()
      }
      if (!(await columnExists(migrationDb, dialect, names, table, 'silent_consent'))) {
        await db.schema
          .alterTable('clients')
          .addColumn('silent_consent', types.boolean, (c) => c.notNull().defaultTo(false))
          .execute()
        // The new default for clients registered before: silent only when confidential.
        await db
          .updateTable('clients')
          .set({ silent_consent: sql.ref('confidential') })
          .execute()
      }
    },
    down: async (migrationDb) => {
      const db = migrationDb.withPlugin(new TableNamePlugin(names))
      const table = names.tables.clients
      for (const column of ['silent_consent', 'application_type']) {
        if (await columnExists(migrationDb, dialect, names, table, column)) {
          await db.schema.alterTable('clients').dropColumn(column).execute()
        }
      }
    },
  }
}
