// The test database set-up of every test file that runs on MariaDB/MySQL: one MariaDB/MySQL database per test file, with a
// random name, dropped afterwards, so parallel runs and files never collide.

import { Kysely, MysqlDialect, sql } from 'kysely'
import { createPool, type Pool, type PoolOptions } from 'mysql2'
import { afterAll, beforeAll } from 'vitest'
import { randomSuffix, unreachable } from './sql-test-helpers.js'

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
    throw unreachable(
      {
        service: 'MariaDB/MySQL',
        url,
        variable: MYSQL_URL_VARIABLE,
        needs: 'a server the tests may create and drop databases on',
      },
      error,
    )
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
