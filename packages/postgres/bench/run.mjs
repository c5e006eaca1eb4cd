// `pnpm bench` in packages/postgres: the core's hot paths on PostgreSQL (pg Pool) and PGlite,
// beside in-memory storage, in a schema made for the run and dropped afterwards. Plain ESM on the
// built package (`tsup` first). BENCH_QUICK=1 runs a short smoke version.
// SP_OAUTH_BENCH_PG_URL (or SP_OAUTH_TEST_PG_URL) names the server; default the local one.
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { processCpuMicros } from '@sp-oauth/storage-test-support/process-cpu'
import {
  createStatementCounter,
  HASH_KEYS,
  QUICK,
  runStorageBench,
} from '@sp-oauth/storage-test-support/storage-bench'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createPostgresStorage, PGliteDialect } from '../dist/index.js'
import { createPostgresFloor } from './raw-floor.mjs'

const URL =
  process.env.SP_OAUTH_BENCH_PG_URL ||
  process.env.SP_OAUTH_TEST_PG_URL ||
  'postgres://postgres@127.0.0.1:5432/test'
const PREFIX = 'sp_oauth_'

/**
 * The growth check's hooks on the schema's token tables: `seedTokens` fills
 * `<prefix>access_tokens` and `<prefix>refresh_tokens` up to `total` seeded rows each, one
 * INSERT … SELECT per 200 000, with hashes of the server's shape (43 characters of base64url
 * SHA-256, so the indexes are as wide as real ones), a family and one of 10 000 users per pair,
 * then leaves them as a running server's would be: VACUUM (ANALYZE) sets hint bits and the
 * visibility map and refreshes statistics, and CHECKPOINT writes the seeding's dirty pages now, not
 * during the timed checks (10^6 rows dirty more than shared_buffers and request a checkpoint of
 * their own). `explainLookup` is EXPLAIN (ANALYZE, BUFFERS) of the bearer lookup (`findByHash`) of
 * a seeded token, run twice (the second is the steady state), with the table's and index's sizes.
 */
function tokenTables(db, schema) {
  const qualified = (table) => `${schema === null ? '' : `${schema}.`}${PREFIX}${table}`
  const name = qualified('access_tokens')
  const table = sql.table(name)
  const refreshTable = sql.table(qualified('refresh_tokens'))
  const hashOf = (prefix) =>
    sql`translate(rtrim(encode(sha256((${prefix} || g)::bytea), 'base64'), '='), '+/', '-_')`
  let seeded = 0
  return {
    seedTokens: async (total, clientId) => {
      while (seeded < total) {
        const to = Math.min(total, seeded + 200_000)
        const numbers = sql`generate_series(${seeded + 1}::int, ${to}::int) as g`
        await sql`
          insert into ${table} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
            scopes, claims, family_id, created_at, expires_at)
          select 'seed-' || g, ${hashOf('seed-')}, 'k1', 'opaque', ${clientId}, 'seed-user-' || (g % 10000),
            'authorization_code', '["invoices.read"]'::json, '{}'::json, 'seed-family-' || g, now(),
            now() + interval '1 hour'
          from ${numbers}`.execute(db)
        await sql`
          insert into ${refreshTable} (id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id,
            scopes, claims, access_token_id, family_created_at, created_at, expires_at)
          select 'seed-refresh-' || g, ${hashOf('seed-refresh-')}, 'k1', 'seed-family-' || g, null, ${clientId},
            'seed-user-' || (g % 10000), '["invoices.read"]'::json, '{}'::json, 'seed-' || g, now(), now(),
            now() + interval '30 days'
          from ${numbers}`.execute(db)
        seeded = to
      }
      for (const seededTable of [table, refreshTable]) await sql`vacuum (analyze) ${seededTable}`.execute(db)
      // Needs superuser or pg_checkpoint: without, the figures may include the seeding's write-back.
      await sql`checkpoint`.execute(db).catch(() => undefined)
      const { rows } = await sql`select count(*)::int as n from ${table}`.execute(db)
      return rows[0].n
    },
    explainLookup: async () => {
      const id = `seed-${Math.ceil(seeded / 2)}`
      const { rows: found } = await sql`select token_hash from ${table} where id = ${id}`.execute(db)
      let plan = null
      for (let run = 0; run < 2; run++) {
        const { rows } = await sql`explain (analyze, buffers, format json)
          select * from ${table} where token_hash = ${found[0].token_hash}`.execute(db)
        plan = rows[0]['QUERY PLAN'][0].Plan
      }
      const { rows: sizes } = await sql`
        select pg_relation_size(${name}::regclass) as heap,
          pg_relation_size(${`${name}_token_hash`}::regclass) as index,
          current_setting('shared_buffers') as shared_buffers`.execute(db)
      const mb = (bytes) => `${(Number(bytes) / 2 ** 20).toFixed(1)} MB`
      const hit = plan['Shared Hit Blocks']
      const read = plan['Shared Read Blocks']
      return (
        `${plan['Node Type']} of ${String(plan['Index Name']).replace(PREFIX, '')}: ${hit + read} pages ` +
        `(${hit} hit, ${read} read); table ${mb(sizes[0].heap)}, index ${mb(sizes[0].index)}, ` +
        `shared_buffers ${sizes[0].shared_buffers}`
      )
    },
  }
}

// Connections stay open for the whole run (no idle timeout): a backend that ends mid-segment would
// carry its whole lifetime's CPU into that segment's database figure.
const SIZES = QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000]

await runStorageBench('@sp-oauth/postgres', [
  {
    name: 'PostgreSQL (pg Pool, 16 connections)',
    open: async () => {
      const schema = `sp_oauth_bench_${randomBytes(5).toString('hex')}`
      const counter = createStatementCounter()
      const pool = new pg.Pool({ connectionString: URL, max: 16, idleTimeoutMillis: 0 })
      pool.on('connect', counter.wrap)
      const db = new Kysely({ dialect: new PostgresDialect({ pool }) })
      const storage = createPostgresStorage({ db }, { schema, tablePrefix: PREFIX })
      await storage.migrate()
      const { rows } = await sql`select version() as v`.execute(db)
      const table = (name) => `"${schema}"."${PREFIX}${name}"`
      const floorPool = new pg.Pool({ connectionString: URL, max: 16, idleTimeoutMillis: 0 })
      return {
        storage,
        counter,
        databaseCpu: processCpuMicros,
        floor: createPostgresFloor(
          floorPool,
          {
            clients: table('clients'),
            codes: table('authorization_codes'),
            access: table('access_tokens'),
            refresh: table('refresh_tokens'),
          },
          HASH_KEYS.keys[0],
        ),
        seedSizes: SIZES,
        ...tokenTables(db, schema),
        note: `${String(rows[0].v).split(' on ')[0]} at ${new globalThis.URL(URL).host}, schema \`${schema}\` (dropped afterwards).`,
        close: async () => {
          try {
            await floorPool.end()
            await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
          } finally {
            await db.destroy()
          }
        },
      }
    },
  },
  {
    name: 'PGlite (embedded, in memory, one connection)',
    open: async () => {
      const counter = createStatementCounter()
      const db = new Kysely({ dialect: new PGliteDialect(new PGlite()), log: counter.log })
      const storage = createPostgresStorage({ db }, { tablePrefix: PREFIX })
      await storage.migrate()
      return {
        storage,
        counter,
        note: 'In-memory PGlite; the growth check stops at 10^5 stored tokens here (seeding 10^6 in PGlite takes too long for the bench).',
        seedSizes: SIZES.filter((size) => size <= 100_000),
        ...tokenTables(db, null),
        close: () => db.destroy(),
      }
    },
  },
])
