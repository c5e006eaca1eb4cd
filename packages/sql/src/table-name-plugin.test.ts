import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { SpOAuthDatabase } from './database.js'
import { TableNamePlugin } from './table-name-plugin.js'
import { resolveTableNames, type SqlStorageOptions } from './table-names.js'
import { recordingKysely } from './test-support/test-dialect.js'

describe('TableNamePlugin', () => {
  const db = recordingKysely().db as Kysely<SpOAuthDatabase>
  const tables = (options: SqlStorageOptions) =>
    db.withPlugin(new TableNamePlugin(resolveTableNames(options)))

  it('prefixes the logical table names, in every clause', () => {
    const query = tables({ tablePrefix: 'app_' })
      .updateTable('clients')
      .set({ name: 'x' })
      .where('clients.id', '=', 'c')
      .returningAll()
      .compile()
    expect(query.sql).toBe('update "app_clients" set "name" = $1 where "app_clients"."id" = $2 returning *')
    expect(query.parameters).toEqual(['x', 'c'])
  })

  it('qualifies them with the schema when there is one', () => {
    const query = tables({ schema: 'auth' })
      .selectFrom('consents')
      .selectAll()
      .where('user_id', '=', 'u')
      .compile()
    expect(query.sql).toBe('select * from "auth"."sp_oauth_consents" where "user_id" = $1')
  })

  it('keeps a schema set by the Kysely instance it was given (withSchema) when none is configured', () => {
    const query = db
      .withSchema('tenant')
      .withPlugin(new TableNamePlugin(resolveTableNames({ tablePrefix: 'app_' })))
      .deleteFrom('clients')
      .compile()
    expect(query.sql).toBe('delete from "tenant"."app_clients"')
  })

  it('leaves every other table name alone (the migrator names its own)', () => {
    const query = tables({ tablePrefix: 'app_' })
      .selectFrom('app_migration' as never)
      .selectAll()
      .compile()
    expect(query.sql).toBe('select * from "app_migration"')
  })
})
