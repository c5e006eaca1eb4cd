import type { CreateIndexBuilder, CreateTableBuilder } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import { TableNamePlugin } from '../table-name-plugin.js'
import type { TableNames } from '../table-names.js'
import type { LOOKUP_INDEXES } from './lookup-indexes.js'
import type { Migration } from './migration.js'

/**
 * The first migration: every table, its keys, and an index for each lookup the repositories make
 * (listed, with its index, in {@link LOOKUP_INDEXES}). Every index and constraint name carries the
 * table prefix, since PostgreSQL wants them unique in a schema. Tables and indexes are created only
 * if missing, so a rerun after a failure that could not roll the DDL back (MySQL) picks up where it
 * stopped.
 */
export function initialSchema(names: TableNames, dialect: SqlDialect): Migration {
  return {
    up: async (migrationDb) => {
      const types = await dialect.schemaTypes(migrationDb)
      const { schema } = migrationDb.withPlugin(new TableNamePlugin(names))
      const table = (name: string): CreateTableBuilder<string> => {
        const builder = schema.createTable(name).ifNotExists()
        return types.tableOptions === null ? builder : builder.modifyEnd(types.tableOptions)
      }
      const index = (name: string): CreateIndexBuilder => {
        const builder = schema.createIndex(names.index(name))
        return types.indexIfNotExists ? builder.ifNotExists() : builder
      }
      await table('clients')
        .addColumn('id', types.key, (c) => c.notNull())
        .addColumn('name', types.text, (c) => c.notNull())
        .addColumn('redirect_uris', types.json, (c) => c.notNull())
        .addColumn('allowed_grants', types.json, (c) => c.notNull())
        .addColumn('allowed_scopes', types.json, (c) => c.notNull())
        .addColumn('confidential', types.boolean, (c) => c.notNull())
        .addColumn('secret_hash', types.key)
        .addColumn('secret_hash_key_id', types.key)
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('updated_at', types.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', types.timestamp)
        .addPrimaryKeyConstraint(names.index('clients_pk'), ['id'])
        .execute()

      await table('authorization_codes')
        .addColumn('code_hash', types.key, (c) => c.notNull())
        .addColumn('hash_key_id', types.key, (c) => c.notNull())
        .addColumn('grant_id', types.key, (c) => c.notNull())
        .addColumn('client_id', types.key, (c) => c.notNull())
        .addColumn('user_id', types.key, (c) => c.notNull())
        .addColumn('redirect_uri', types.text, (c) => c.notNull())
        .addColumn('redirect_uri_explicit', types.boolean, (c) => c.notNull())
        .addColumn('scopes', types.json, (c) => c.notNull())
        .addColumn('claims', types.json, (c) => c.notNull())
        .addColumn('code_challenge', types.key)
        .addColumn('code_challenge_method', types.key)
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('expires_at', types.timestamp, (c) => c.notNull())
        .addColumn('consumed_at', types.timestamp)
        .addPrimaryKeyConstraint(names.index('authorization_codes_pk'), ['code_hash'])
        .addForeignKeyConstraint(names.index('authorization_codes_client_fk'), ['client_id'], 'clients', [
          'id',
        ])
        .execute()
      await index('authorization_codes_client_id').on('authorization_codes').column('client_id').execute()

      await table('access_tokens')
        .addColumn('id', types.key, (c) => c.notNull())
        .addColumn('token_hash', types.key)
        .addColumn('hash_key_id', types.key)
        .addColumn('format', types.key, (c) => c.notNull())
        .addColumn('client_id', types.key, (c) => c.notNull())
        .addColumn('user_id', types.key)
        .addColumn('grant_type', types.key, (c) => c.notNull())
        .addColumn('scopes', types.json, (c) => c.notNull())
        .addColumn('claims', types.json, (c) => c.notNull())
        .addColumn('family_id', types.key)
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('expires_at', types.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', types.timestamp)
        .addPrimaryKeyConstraint(names.index('access_tokens_pk'), ['id'])
        .addUniqueConstraint(names.index('access_tokens_token_hash'), ['token_hash'])
        .addForeignKeyConstraint(names.index('access_tokens_client_fk'), ['client_id'], 'clients', ['id'])
        .execute()
      await index('access_tokens_family_id').on('access_tokens').column('family_id').execute()
      await index('access_tokens_client_id').on('access_tokens').column('client_id').execute()

      await table('refresh_tokens')
        .addColumn('id', types.key, (c) => c.notNull())
        .addColumn('token_hash', types.key, (c) => c.notNull())
        .addColumn('hash_key_id', types.key, (c) => c.notNull())
        .addColumn('family_id', types.key, (c) => c.notNull())
        .addColumn('parent_id', types.key)
        .addColumn('client_id', types.key, (c) => c.notNull())
        .addColumn('user_id', types.key)
        .addColumn('scopes', types.json, (c) => c.notNull())
        .addColumn('claims', types.json, (c) => c.notNull())
        .addColumn('access_token_id', types.key)
        .addColumn('family_created_at', types.timestamp, (c) => c.notNull())
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('expires_at', types.timestamp, (c) => c.notNull())
        .addColumn('rotated_at', types.timestamp)
        .addColumn('revoked_at', types.timestamp)
        .addPrimaryKeyConstraint(names.index('refresh_tokens_pk'), ['id'])
        .addUniqueConstraint(names.index('refresh_tokens_token_hash'), ['token_hash'])
        .addForeignKeyConstraint(names.index('refresh_tokens_client_fk'), ['client_id'], 'clients', ['id'])
        .execute()
      await index('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute()
      await index('refresh_tokens_client_id').on('refresh_tokens').column('client_id').execute()
      await index('refresh_tokens_parent_id')
        .on('refresh_tokens')
        .columns(['parent_id', 'created_at'])
        .execute()

      await table('consents')
        .addColumn('client_id', types.key, (c) => c.notNull())
        .addColumn('user_id', types.key, (c) => c.notNull())
        .addColumn('scopes', types.json, (c) => c.notNull())
        .addColumn('claims', types.json, (c) => c.notNull())
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('updated_at', types.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint(names.index('consents_pk'), ['client_id', 'user_id'])
        .addForeignKeyConstraint(names.index('consents_client_fk'), ['client_id'], 'clients', ['id'])
        .execute()

      await table('signing_keys')
        .addColumn('kid', types.key, (c) => c.notNull())
        .addColumn('algorithm', types.key, (c) => c.notNull())
        .addColumn('state', types.key, (c) => c.notNull())
        .addColumn('public_jwk', types.json, (c) => c.notNull())
        .addColumn('private_jwk', types.json, (c) => c.notNull())
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('updated_at', types.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint(names.index('signing_keys_pk'), ['kid'])
        .execute()
      await index('signing_keys_state').on('signing_keys').columns(['state', 'created_at']).execute()

      await table('event_outbox')
        .addColumn('id', types.identity, (c) => types.identityColumn(c))
        .addColumn('event_id', types.key, (c) => c.notNull())
        .addColumn('type', types.key, (c) => c.notNull())
        .addColumn('aggregate_id', types.key, (c) => c.notNull())
        .addColumn('payload', types.json, (c) => c.notNull())
        .addColumn('occurred_at', types.timestamp, (c) => c.notNull())
        .addColumn('delivered_at', types.timestamp)
        .addUniqueConstraint(names.index('event_outbox_event_id'), ['event_id'])
        .execute()
      await index('event_outbox_undelivered').on('event_outbox').columns(['delivered_at', 'id']).execute()
      await index('event_outbox_aggregate_id')
        .on('event_outbox')
        .columns(['aggregate_id', 'delivered_at', 'id'])
        .execute()
    },
  }
}
