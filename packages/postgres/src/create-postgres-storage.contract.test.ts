import { storageContract } from '@sp-oauth/core/testing'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import {
  deleteAllRows,
  freshTablePrefix,
  outboxOf,
  type TableLocation,
} from '@sp-oauth/storage-test-support/sql-test-helpers'
import { beforeAll } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()
let location: TableLocation

// One set of tables for the file, migrated once; each test starts from empty tables.
beforeAll(async () => {
  const { db, schema } = database()
  location = { tablePrefix: freshTablePrefix(), schema }
  await createPostgresStorage({ db }, location).migrate()
})

storageContract('PostgreSQL through a pg Pool, with an outbox', async () => {
  const { db } = database()
  const storage = createPostgresStorage({ db }, { ...location, outbox: true })
  if (!storage.outboxReader) throw new Error('a storage with outbox: true has an outboxReader')
  return {
    storage,
    outboxReader: storage.outboxReader,
    readOutbox: outboxOf(db, location),
    close: () => deleteAllRows(db, location),
  }
})
