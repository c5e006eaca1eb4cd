// Test set-up shared by this package's test files: one MariaDB/MySQL database per test file, with a
// random name, dropped afterwards, so parallel runs and files never collide.
import { randomBytes } from 'node:crypto'
import { resolveTableNames, type SpOAuthDatabase, TABLE_NAMES, TableNamePlugin } from '@sp-oauth/sql'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { createPool, type Pool, type PoolOptions } from 'mysql2'
import { afterAll, beforeAll } from 'vitest'

/** The environment variable naming the test server. */
export const MYSQL_URL_VARIABLE = 'SP_OAUTH_TEST_MYSQL_URL'
const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/test'

/** The test database of one test file. */
export interface MysqlTestDatabase {
  readonly url: string
  /** Made for this file: `sp_oauth_test_<random>`. */
  readonly database: string
  /** Pool options for that database, for tests that make a pool of their own. */
  readonly poolOptions: PoolOptions
  /** On a pool to that database, for the whole file; never destroyed by a storage under test. */
  readonly db: Kysely<unknown>
}

/** A random suffix of lower-case hex digits. */
export function randomSuffix(bytes = 5): string {
  return randomBytes(bytes).toString('hex')
}

/** A fresh table prefix. */
export function freshTablePrefix(): string {
  return `t${randomSuffix()}_`
}

/**
 * Registers a `beforeAll` that creates this file's database (failing loudly, naming
 * `SP_OAUTH_TEST_MYSQL_URL`, when the server cannot be reached) and an `afterAll` that drops it;
 * returns a getter for it.
 */
export function useMysqlTestDatabase(): () => MysqlTestDatabase {
  let current: (MysqlTestDatabase & { readonly admin: Kysely<unknown> }) | null = null
  beforeAll(async () => {
    current = await createTestDatabase()
  }, 30_000)
  afterAll(async () => {
    const database = current
    current = null
    if (database === null) return
    try {
      await database.db.destroy()
      await sql`drop database if exists ${sql.id(database.database)}`.execute(database.admin)
    } finally {
      await database.admin.destroy()
    }
  }, 30_000)
  return () => {
    if (current === null) throw new Error('The test database exists only while the tests of its file run')
    return current
  }
}

async function createTestDatabase(): Promise<MysqlTestDatabase & { readonly admin: Kysely<unknown> }> {
  const url = process.env[MYSQL_URL_VARIABLE] || DEFAULT_MYSQL_URL
  const server = serverOptions(url)
  const admin = kyselyOn({ ...server, connectionLimit: 1 })
  const database = `sp_oauth_test_${randomSuffix()}`
  try {
    await sql`create database ${sql.id(database)}`.execute(admin)
  } catch (error) {
    await admin.destroy().catch(() => undefined)
    throw unreachable(url, error)
  }
  const poolOptions: PoolOptions = { ...server, database, connectionLimit: 10 }
  return { url, database, poolOptions, db: kyselyOn(poolOptions), admin }
}

/** Connection options from a `mysql://user:password@host:port/database` URL, times in UTC. */
function serverOptions(url: string): PoolOptions {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    timezone: 'Z',
    connectTimeout: 5_000,
  }
}

/** A mysql2 pool with `options`. */
export function createTestPool(options: PoolOptions): Pool {
  return createPool(options)
}

function kyselyOn(options: PoolOptions): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createTestPool(options) }) })
}

/**
 * The error a test file fails with when the server is unreachable. Locally it is also printed as
 * a loud banner, since a developer may not have started the service; under CI it just fails.
 */
function unreachable(url: string, cause: unknown): Error {
  const message =
    `MariaDB/MySQL is unreachable at ${redact(url)}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
    `Start it, or point ${MYSQL_URL_VARIABLE} at one (a server the tests may create and drop databases on).`
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
