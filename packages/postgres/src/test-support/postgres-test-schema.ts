// Test set-up shared by this package's test files: one PostgreSQL schema per test file, with a
// random name, dropped afterwards, so parallel runs and files never collide.
import { randomBytes } from 'node:crypto'
import { resolveTableNames, type SpOAuthDatabase, TABLE_NAMES, TableNamePlugin } from '@sp-oauth/sql'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

/** The environment variable naming the test database. */
export const PG_URL_VARIABLE = 'SP_OAUTH_TEST_PG_URL'
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** The test database of one test file. */
export interface PostgresTestSchema {
  readonly url: string
  /** Made for this file: `sp_oauth_test_<random>`. */
  readonly schema: string
  /** Connected to the test database, for the whole file. */
  readonly pool: pg.Pool
  /** On `pool`; never destroyed by a storage under test. */
  readonly db: Kysely<unknown>
}

/** A random suffix of lower-case hex digits. */
export function randomSuffix(bytes = 5): string {
  return randomBytes(bytes).toString('hex')
}

/** A fresh table prefix, so one schema holds the tables of many tests side by side. */
export function freshTablePrefix(): string {
  return `t${randomSuffix()}_`
}

/**
 * Registers a `beforeAll` that creates this file's schema (failing loudly, naming
 * `SP_OAUTH_TEST_PG_URL`, when PostgreSQL cannot be reached) and an `afterAll` that drops it; returns
 * a getter for it.
 */
export function usePostgresTestSchema(): () => PostgresTestSchema {
  let current: PostgresTestSchema | null = null
  beforeAll(async () => {
    current = await createTestSchema()
  }, 30_000)
  afterAll(async () => {
    const schema = current
    current = null
    if (schema === null) return
    try {
      await sql`drop schema if exists ${sql.id(schema.schema)} cascade`.execute(schema.db)
    } finally {
      await schema.db.destroy()
    }
  }, 30_000)
  return () => {
    if (current === null) throw new Error('The test schema exists only while the tests of its file run')
    return current
  }
}

async function createTestSchema(): Promise<PostgresTestSchema> {
  const url = process.env[PG_URL_VARIABLE] || DEFAULT_PG_URL
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 })
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  const schema = `sp_oauth_test_${randomSuffix()}`
  try {
    await sql`create schema ${sql.id(schema)}`.execute(db)
  } catch (error) {
    await db.destroy().catch(() => undefined)
    throw unreachable('PostgreSQL', url, PG_URL_VARIABLE, error)
  }
  return { url, schema, pool, db }
}

/**
 * The error a test file fails with when its database is unreachable. Locally it is also printed
 * as a loud banner, since a developer may not have started the service; under CI it just fails.
 */
export function unreachable(service: string, url: string, variable: string, cause: unknown): Error {
  const message =
    `${service} is unreachable at ${redact(url)}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
    `Start it, or point ${variable} at one (a database the tests may create and drop schemas in).`
  if (!process.env.CI) {
    const bar = '!'.repeat(100)
    console.error(`\n${bar}\n!!! ${message}\n!!! The storage tests of this file cannot run.\n${bar}\n`)
  }
  return new Error(message, { cause })
}

function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}

/** Where one storage's tables are. */
export interface TableLocation {
  readonly tablePrefix: string
  readonly schema?: string
}

function tablesAt(db: Kysely<unknown>, location: TableLocation): Kysely<SpOAuthDatabase> {
  return (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
}

/** The `id` and `type` of every committed outbox row, in id order, for the contract's `readOutbox`. */
export function outboxOf(
  db: Kysely<unknown>,
  location: TableLocation,
): () => Promise<{ id: string; type: string }[]> {
  const tables = tablesAt(db, location)
  return async () => {
    const rows = await tables.selectFrom('event_outbox').select(['event_id', 'type']).orderBy('id').execute()
    return rows.map((row) => ({ id: row.event_id, type: row.type }))
  }
}

/**
 * Deletes every row of the tables, children first: what a test leaves behind, so the next test of
 * the file starts from empty tables (much cheaper than migrating new ones for each test).
 */
export async function deleteAllRows(db: Kysely<unknown>, location: TableLocation): Promise<void> {
  const tables = tablesAt(db, location)
  for (const table of [...TABLE_NAMES].reverse()) await tables.deleteFrom(table).execute()
}

/** A promise settled by hand, for holding a transaction open at a chosen point. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
}

/** A fresh {@link Deferred} (Node 20 has no `Promise.withResolvers`). */
export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
