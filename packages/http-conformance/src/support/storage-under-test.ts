import { randomBytes } from 'node:crypto'
import type { Storage } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { createPostgresStorage } from '@sp-oauth/postgres'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

/** The environment variable naming the PostgreSQL test database. */
export const PG_URL_VARIABLE = 'SP_OAUTH_TEST_PG_URL'
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** Where a test file's servers keep their state. */
export interface StorageUnderTest {
  readonly name: string
  /** A fresh, empty, ready storage (its own tables on PostgreSQL). */
  create(): Promise<Storage>
}

/** In-memory storage from `@sp-oauth/core/memory`. */
export function memoryStorage(): StorageUnderTest {
  return { name: 'memory', create: async () => createMemoryStorage() }
}

/**
 * PostgreSQL through `@sp-oauth/postgres` on a `pg` Pool: registers hooks that make a schema of its
 * own for this test file (dropped afterwards) and give each storage fresh tables in it, so files
 * run in parallel without sharing a row.
 */
export function postgresStorage(): StorageUnderTest {
  let pool: pg.Pool | null = null
  let db: Kysely<unknown> | null = null
  const schema = `sp_oauth_http_${randomBytes(5).toString('hex')}`
  beforeAll(async () => {
    const url = process.env[PG_URL_VARIABLE] || DEFAULT_PG_URL
    pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 })
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
    try {
      await sql`create schema ${sql.id(schema)}`.execute(db)
    } catch (error) {
      throw new Error(
        `PostgreSQL is unreachable at ${url.replace(/:[^:@/]*@/, ':***@')}; start it or set ${PG_URL_VARIABLE}`,
        { cause: error },
      )
    }
  })
  afterAll(async () => {
    if (db === null) return
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
    } finally {
      await db.destroy()
    }
  })
  return {
    name: 'postgres',
    create: async () => {
      if (db === null) throw new Error('The PostgreSQL schema exists only while the tests of its file run')
      const tablePrefix = `t${randomBytes(4).toString('hex')}_`
      const storage = createPostgresStorage({ db }, { schema, tablePrefix })
      await storage.migrate()
      return storage
    },
  }
}
