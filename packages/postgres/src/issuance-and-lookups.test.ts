// The shared atomic issuance and lookup suites on PostgreSQL (a pg Pool) and PGlite: what a code
// exchange, rotation or client_credentials issuance leaves in the tables, and how many statements
// each step and each lookup by key sends.
import { PGlite } from '@electric-sql/pglite'
import {
  atomicIssuanceSuite,
  type IssuanceBackend,
} from '@sp-oauth/storage-test-support/atomic-issuance-suite'
import { tablesOf } from '@sp-oauth/storage-test-support/core-guarantees'
import { InterceptingDialect, StatementFaults } from '@sp-oauth/storage-test-support/intercepting-dialect'
import { lookupSuite } from '@sp-oauth/storage-test-support/lookup-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix, type TableLocation } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type Dialect, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

/**
 * Migrated tables of a fresh prefix, and storages on them through `dialect`, whose every statement
 * the returned `faults` sees; `tables` reads through `reader` (the file's pool, or on PGlite the
 * counted instance itself: it is one connection).
 */
async function countedTables(dialect: Dialect, location: TableLocation, reader?: Kysely<unknown>) {
  const faults = new StatementFaults()
  const counted = new Kysely<unknown>({ dialect: new InterceptingDialect(dialect, faults) })
  const storage = (options: { readonly outbox: boolean }) =>
    createPostgresStorage({ db: counted }, { ...location, ...options })
  await storage({ outbox: false }).migrate()
  const db = reader ?? counted
  return {
    storage,
    faults,
    tablePrefix: location.tablePrefix,
    tables: tablesOf(db, location),
    failNextAccessTokenInsert: () => failNextAccessTokenInsert(db, location),
    close: () => counted.destroy(),
  }
}

/**
 * A trigger that fails the next insert into the access tokens with a serialization failure
 * (SQLSTATE 40001), once: a sequence counts the inserts, and is not rolled back with them.
 */
async function failNextAccessTokenInsert(db: Kysely<unknown>, location: TableLocation): Promise<void> {
  const name = (object: string) =>
    location.schema === undefined
      ? sql.id(`${location.tablePrefix}${object}`)
      : sql.id(location.schema, `${location.tablePrefix}${object}`)
  const counter = `${location.schema === undefined ? '' : `"${location.schema}".`}"${location.tablePrefix}fail_once_count"`
  await sql`create sequence ${name('fail_once_count')}`.execute(db)
  await sql`create function ${name('fail_once')}() returns trigger language plpgsql as ${sql.lit(
    `begin
      if nextval('${counter}') = 1 then
        raise exception 'injected serialization failure' using errcode = 'serialization_failure';
      end if;
      return new;
    end`,
  )}`.execute(db)
  await sql`create trigger ${sql.id(`${location.tablePrefix}fail_once`)} before insert on ${name('access_tokens')}
    for each row execute function ${name('fail_once')}()`.execute(db)
}

const pgPool: IssuanceBackend = {
  name: 'PostgreSQL (pg Pool)',
  open: () => {
    const { db, url, schema } = database()
    const dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) })
    return countedTables(dialect, { tablePrefix: freshTablePrefix(), schema }, db)
  },
  lockWaits: async (tablePrefix) => {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and position(${tablePrefix} in query) > 0`.execute(
      database().db,
    )
    return rows[0]?.waiting ?? 0
  },
}

const embedded: IssuanceBackend = {
  name: 'PGlite',
  open: () => countedTables(new PGliteDialect(new PGlite()), { tablePrefix: freshTablePrefix() }),
}

for (const backend of [pgPool, embedded]) {
  atomicIssuanceSuite(backend)
  lookupSuite(backend)
}
