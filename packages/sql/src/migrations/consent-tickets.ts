import type { CreateTableBuilder } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableNames } from '../table-names.js'
import type { Migration } from './migration.js'
import { createIndexesIfMissing } from './migration-indexes.js'

/**
 * The migration `0007_consent_tickets`: the table of used consent tickets (`ConsentTicketRepository`),
 * keyed by the hash of the ticket's nonce, so inserting one twice is refused by the primary key,
 * with an index on `expires_at` for `pruneExpired()`. Created only if missing, so a rerun after a
 * failure that could not roll the DDL back (MySQL) picks up where it stopped. `down` drops it.
 */
export function consentTickets(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      const builder: CreateTableBuilder<string> = schema
        .createTable('consent_tickets')
        .ifNotExists()
        .addColumn('nonce_hash', types.key, (c) => c.notNull())
        .addColumn('expires_at', types.timestamp, (c) => c.notNull())
        .addColumn('consumed_at', types.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint(names.index('consent_tickets_pk'), ['nonce_hash'])
      await (types.tableOptions === null ? builder : builder.modifyEnd(types.tableOptions)).execute()
      await createIndexesIfMissing(migrationDb, names, dialect, [
        { index: 'consent_tickets_expires_at', table: 'consent_tickets', columns: ['expires_at'] },
      ])
    },
    down: async (migrationDb) => {
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      await schema.dropTable('consent_tickets').ifExists().execute()
    },
  }
}
