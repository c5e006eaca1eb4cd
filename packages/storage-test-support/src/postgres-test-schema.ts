// The test database set-up of every test file that runs on PostgreSQL: one PostgreSQL schema per test file, with a
// random name, dropped afterwards, so parallel runs and files never collide.

import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { randomSuffix, unreachable } from './sql-test-helpers.js'

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
    throw unreachable(
      {
        service: 'PostgreSQL',
        url,
        variable: PG_URL_VARIABLE,
        needs: 'a database the tests may create and drop schemas in',
      },
      error,
    )
  }
  return { url, schema, pool, db }
}
