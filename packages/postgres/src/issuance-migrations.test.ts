// The migrations that create MySQL's issuance procedures, on PostgreSQL: one data-modifying WITH
// statement does that work here, so they must leave the database as they found it, up or down.
import { resolveTableNames, spOAuthMigrations } from '@sp-oauth/sql'
import { issue, storeCode } from '@sp-oauth/storage-test-support/issuance-fixtures'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { postgresSqlDialect } from './postgres-sql-dialect.js'

const database = usePostgresTestSchema()

const PROCEDURE_MIGRATIONS = [
  '0003_atomic_issuance',
  '0005_issuance_client_live',
  '0010_issuance_without_empty_events',
] as const

/**
 * What the catalog holds of `schema`: its columns, indexes, triggers and routines, and the routines
 * of any schema named after `tablePrefix`.
 */
async function catalogOf(db: Kysely<unknown>, schema: string, tablePrefix: string) {
  const { rows: columns } = await sql<Record<string, unknown>>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = ${schema} order by table_name, column_name`.execute(db)
  const { rows: indexes } = await sql<Record<string, unknown>>`
    select indexname, indexdef from pg_indexes where schemaname = ${schema} order by indexname`.execute(db)
  const { rows: triggers } = await sql<Record<string, unknown>>`
    select trigger_name, event_object_table from information_schema.triggers
    where trigger_schema = ${schema} order by trigger_name`.execute(db)
  const { rows: routines } = await sql<Record<string, unknown>>`
    select n.nspname as schema, p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = ${schema} or left(p.proname, ${tablePrefix.length}) = ${tablePrefix}
    order by 1, 2`.execute(db)
  return { columns, indexes, triggers, routines }
}

describe('on PostgreSQL, the migrations that create MySQL’s issuance procedures', () => {
  it('change nothing, up or down, and the storage issues as before', async () => {
    const { db, schema } = database()
    const tablePrefix = freshTablePrefix()
    const storage = createPostgresStorage({ db }, { tablePrefix, schema })
    await storage.migrate()
    const migrations = spOAuthMigrations(resolveTableNames({ tablePrefix, schema }), postgresSqlDialect)
    const before = await catalogOf(db, schema, tablePrefix)
    expect(before.columns.length).toBeGreaterThan(0)
    for (const name of PROCEDURE_MIGRATIONS) {
      await migrations[name]!.down?.(db)
      expect(await catalogOf(db, schema, tablePrefix), `${name} down`).toEqual(before)
      await migrations[name]!.up(db)
      expect(await catalogOf(db, schema, tablePrefix), `${name} up`).toEqual(before)
    }
    const { client, code } = await storeCode(storage)
    expect(
      await storage.atomicIssuance.redeemCode({ codeHash: code.codeHash, ...issue(client.id) }),
    ).toMatchObject({
      status: 'issued',
    })
  })
})
