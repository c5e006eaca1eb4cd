import { storageContract } from '@sp-oauth/core/testing'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import {
  deleteAllRows,
  freshTablePrefix,
  outboxOf,
  type TableLocation,
} from '@sp-oauth/storage-test-support/sql-test-helpers'
import { beforeAll } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()
let location: TableLocation

// One set of tables for the file, migrated once; each test starts from empty tables.
beforeAll(async () => {
  const { db } = database()
  location = { tablePrefix: freshTablePrefix() }
  await createMysqlStorage({ db }, location).migrate()
})

storageContract('MariaDB/MySQL through a mysql2 pool, with an outbox', async () => {
  const { db } = database()
  const storage = createMysqlStorage({ db }, { ...location, outbox: true })
  if (!storage.outboxReader) throw new Error('a storage with outbox: true has an outboxReader')
  return {
    storage,
    outboxReader: storage.outboxReader,
    readOutbox: outboxOf(db, location),
    close: () => deleteAllRows(db, location),
  }
})
