// `pnpm bench` in packages/mysql: the core's hot paths on MariaDB/MySQL (mysql2) beside in-memory
// storage, in a database made for the run and dropped afterwards. Plain ESM on the built package
// (`tsup` first). BENCH_QUICK=1 runs a short smoke version.
// SP_OAUTH_BENCH_MYSQL_URL (or SP_OAUTH_TEST_MYSQL_URL) names the server; default the local one.
import { randomBytes } from 'node:crypto'
import { processCpuMicros } from '@sp-oauth/storage-test-support/process-cpu'
import {
  createStatementCounter,
  HASH_KEYS,
  QUICK,
  runStorageBench,
} from '@sp-oauth/storage-test-support/storage-bench'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { createPool } from 'mysql2'
import { createMysqlStorage } from '../dist/index.js'
import { createMysqlFloor } from './raw-floor.mjs'

const URL =
  process.env.SP_OAUTH_BENCH_MYSQL_URL ||
  process.env.SP_OAUTH_TEST_MYSQL_URL ||
  'mysql://root@127.0.0.1:3306/test'
const PREFIX = 'sp_oauth_'
const CHUNK = 100_000

function serverOptions(url) {
  const parsed = new globalThis.URL(url)
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    timezone: 'Z',
  }
}

/** 0 … 99 999 from five cross-joined digit tables (no recursion limit to raise). */
const NUMBERS = sql.raw(
  ['a', 'b', 'c', 'd', 'e']
    .map(
      (alias) =>
        `(select 0 as n union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9) ${alias}`,
    )
    .join(' cross join '),
)

/** base64url SHA-256 of `<prefix><g>`: the shape of the server's hashes (43 characters). */
const hashOf = (prefix) =>
  sql`replace(replace(trim(trailing '=' from to_base64(unhex(sha2(concat(${prefix}, g), 256)))), '+', '-'), '/', '_')`

/**
 * Seeds access and refresh tokens of `clientId` up to `total` seeded rows in each table, 10^5 rows
 * per INSERT … SELECT, a family and one of 10 000 users per pair.
 */
function seeder(db, access, refresh) {
  let seeded = 0
  return async (total, clientId) => {
    while (seeded < total) {
      const to = Math.min(total, seeded + CHUNK)
      const numbers = sql`(select ${seeded} + a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * e.n + 1 as g from ${NUMBERS}) numbers`
      await sql`
        insert into ${access} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
          scopes, claims, family_id, created_at, expires_at)
        select concat('seed-', g), ${hashOf('seed-')}, 'k1', 'opaque', ${clientId}, concat('seed-user-', g % 10000),
          'authorization_code', '["invoices.read"]', '{}', concat('seed-family-', g), utc_timestamp(3),
          utc_timestamp(3) + interval 1 hour
        from ${numbers}
        where g <= ${to}`.execute(db)
      await sql`
        insert into ${refresh} (id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id,
          scopes, claims, access_token_id, family_created_at, created_at, expires_at)
        select concat('seed-refresh-', g), ${hashOf('seed-refresh-')}, 'k1', concat('seed-family-', g), null,
          ${clientId}, concat('seed-user-', g % 10000), '["invoices.read"]', '{}', concat('seed-', g),
          utc_timestamp(3), utc_timestamp(3), utc_timestamp(3) + interval 30 day
        from ${numbers}
        where g <= ${to}`.execute(db)
      seeded = to
    }
    for (const table of [access, refresh]) await sql`analyze table ${table}`.execute(db)
    const { rows } = await sql`select count(*) as n from ${access}`.execute(db)
    return Number(rows[0].n)
  }
}

const SIZES = QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000]

await runStorageBench('@sp-oauth/mysql', [
  {
    name: 'MariaDB/MySQL (mysql2 pool, 16 connections)',
    open: async () => {
      const server = serverOptions(URL)
      const database = `sp_oauth_bench_${randomBytes(5).toString('hex')}`
      const admin = new Kysely({
        dialect: new MysqlDialect({ pool: createPool({ ...server, connectionLimit: 1 }) }),
      })
      await sql`create database ${sql.id(database)}`.execute(admin)
      const counter = createStatementCounter()
      const pool = createPool({ ...server, database, connectionLimit: 16 })
      pool.on('connection', counter.wrap)
      const db = new Kysely({ dialect: new MysqlDialect({ pool }) })
      const storage = createMysqlStorage({ db }, { tablePrefix: PREFIX })
      await storage.migrate()
      const { rows } = await sql`select version() as v`.execute(admin)
      const floorPool = createPool({ ...server, database, connectionLimit: 16 })
      return {
        storage,
        counter,
        databaseCpu: processCpuMicros,
        floor: await createMysqlFloor(floorPool, PREFIX, HASH_KEYS.keys[0]),
        note: `Server ${rows[0].v} at ${server.host}:${server.port}, database \`${database}\` (dropped afterwards).`,
        seedSizes: SIZES,
        seedTokens: seeder(db, sql.table(`${PREFIX}access_tokens`), sql.table(`${PREFIX}refresh_tokens`)),
        close: async () => {
          try {
            await new Promise((resolve) => floorPool.end(resolve))
            await db.destroy()
            await sql`drop database if exists ${sql.id(database)}`.execute(admin)
          } finally {
            await admin.destroy()
          }
        },
      }
    },
  },
])
