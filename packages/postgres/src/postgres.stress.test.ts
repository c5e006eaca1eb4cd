// Exactly-once under real races, through the real core: on PostgreSQL (one pool, and two core
// instances on two pools against the same tables) and on PGlite.
import { PGlite } from '@electric-sql/pglite'
import { exactlyOnceSuite } from '@sp-oauth/storage-test-support/exactly-once-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

exactlyOnceSuite({
  name: 'PostgreSQL (pg Pool)',
  twoInstances: true,
  open: async () => {
    const { db, url, schema } = database()
    const location = { tablePrefix: freshTablePrefix(), schema }
    const secondDb = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }),
    })
    return {
      storages: [createPostgresStorage({ db }, location), createPostgresStorage({ db: secondDb }, location)],
      db,
      location,
      close: () => secondDb.destroy(),
    }
  },
})

// PGlite is one embedded connection in one process: two pools on it cannot exist, so it runs the
// single-instance races only.
exactlyOnceSuite({
  name: 'PGlite',
  twoInstances: false,
  open: async () => {
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
    const location = { tablePrefix: 'sp_oauth_' }
    return { storages: [createPostgresStorage({ db }, location)], db, location, close: () => db.destroy() }
  },
})
