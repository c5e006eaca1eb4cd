// `pnpm bench` in packages/postgres: the core's hot paths on PostgreSQL (pg Pool) and PGlite,
// beside in-memory storage, in a schema made for the run and dropped afterwards. Plain ESM on the
// built package (`tsup` first). BENCH_QUICK=1 runs a short smoke version.
// SP_OAUTH_BENCH_PG_URL (or SP_OAUTH_TEST_PG_URL) names the server; default the local one.
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { createStatementCounter, QUICK, runStorageBench } from '@sp-oauth/storage-test-support/storage-bench'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createPostgresStorage, PGliteDialect } from '../dist/index.js'

const URL =
  process.env.SP_OAUTH_BENCH_PG_URL ||
  process.env.SP_OAUTH_TEST_PG_URL ||
  'postgres://postgres@127.0.0.1:5432/test'
const PREFIX = 'sp_oauth_'

/** Seeds opaque access tokens of `clientId` up to `total` seeded rows, in one INSERT … SELECT per chunk. */
function seeder(db, table) {
  let seeded = 0
  return async (total, clientId) => {
    while (seeded < total) {
      const to = Math.min(total, seeded + 200_000)
      await sql`
        insert into ${table} (id, token_hash, hash_key_id, format, client_id, user_id, grant_type,
          scopes, claims, family_id, created_at, expires_at)
        select 'seed-' || g, md5('a' || g) || md5('b' || g), 'k1', 'opaque', ${clientId}, 'seed-user',
          'client_credentials', '["invoices.read"]'::json, '{}'::json, null, now(), now() + interval '1 hour'
        from generate_series(${seeded + 1}::int, ${to}::int) as g`.execute(db)
      seeded = to
    }
    await sql`analyze ${table}`.execute(db)
    const { rows } = await sql`select count(*)::int as n from ${table}`.execute(db)
    return rows[0].n
  }
}

const SIZES = QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000]

await runStorageBench('@sp-oauth/postgres', [
  {
    name: 'PostgreSQL (pg Pool, 16 connections)',
    open: async () => {
      const schema = `sp_oauth_bench_${randomBytes(5).toString('hex')}`
      const counter = createStatementCounter()
      const pool = new pg.Pool({ connectionString: URL, max: 16 })
      const db = new Kysely({ dialect: new PostgresDialect({ pool }), log: counter.log })
      const storage = createPostgresStorage({ db }, { schema, tablePrefix: PREFIX })
      await storage.migrate()
      const { rows } = await sql`select version() as v`.execute(db)
      return {
        storage,
        counter,
        note: `${String(rows[0].v).split(' on ')[0]} at ${new globalThis.URL(URL).host}, schema \`${schema}\` (dropped afterwards).`,
        seedSizes: SIZES,
        seedAccessTokens: seeder(db, sql.table(`${schema}.${PREFIX}access_tokens`)),
        close: async () => {
          try {
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
        seedAccessTokens: seeder(db, sql.table(`${PREFIX}access_tokens`)),
        close: () => db.destroy(),
      }
    },
  },
])
