import { PGlite } from '@electric-sql/pglite'
import { storageContract } from '@sp-oauth/core/testing'
import { deleteAllRows, outboxOf, type TableLocation } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely } from 'kysely'
import { afterAll, beforeAll } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

// One in-memory PGlite database for the file, migrated once; each test starts from empty tables.
let db: Kysely<unknown>
const location: TableLocation = { tablePrefix: 'sp_oauth_' }

beforeAll(async () => {
  db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
  await createPostgresStorage({ db }, location).migrate()
}, 60_000)

afterAll(async () => {
  await db?.destroy()
})

storageContract(
  'PGlite (embedded, one connection), with an outbox',
  async () => {
    const storage = createPostgresStorage({ db }, { ...location, outbox: true })
    if (!storage.outboxReader) throw new Error('a storage with outbox: true has an outboxReader')
    return {
      storage,
      outboxReader: storage.outboxReader,
      readOutbox: outboxOf(db, location),
      close: () => deleteAllRows(db, location),
    }
  },
  { singleConnection: true },
)
