import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { type OutboxRelayBackend, outboxRelaySuite } from '@sp-oauth/storage-test-support/outbox-relay-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix, outboxOf } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely } from 'kysely'
import pg from 'pg'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

const postgres: OutboxRelayBackend = {
  name: 'PostgreSQL',
  tables: async () => {
    const { url, schema, db } = database()
    const location = { tablePrefix: freshTablePrefix(), schema }
    await createPostgresStorage({ db }, location).migrate()
    return {
      open: async () =>
        createPostgresStorage(
          { pool: new pg.Pool({ connectionString: url, max: 3 }) },
          { ...location, outbox: true },
        ),
      readOutbox: outboxOf(db, location),
    }
  },
}

const pgliteOnDirectory: OutboxRelayBackend = {
  name: 'PGlite on a directory',
  tables: async (onCleanup) => {
    const directory = await mkdtemp(join(tmpdir(), 'sp-oauth-pglite-'))
    onCleanup(() => rm(directory, { recursive: true, force: true }))
    const location = { tablePrefix: 'sp_oauth_' }
    let current: Kysely<unknown> | null = null
    const open = async (): Promise<Kysely<unknown>> => {
      // One process at a time on a PGlite directory: the previous one has crashed (is closed).
      await current?.destroy()
      current = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite(directory)) })
      return current
    }
    onCleanup(async () => {
      await current?.destroy()
    })
    await createPostgresStorage({ db: await open() }, location).migrate()
    return {
      open: async () => createPostgresStorage({ db: await open() }, { ...location, outbox: true }),
      readOutbox: async () => {
        if (current === null) throw new Error('no PGlite process is open')
        return outboxOf(current, location)()
      },
    }
  },
}

outboxRelaySuite({
  backends: [postgres, pgliteOnDirectory],
  // PGlite initialises, closes and reopens a data directory in these tests: seconds, under load more.
  timeoutMs: 120_000,
})
