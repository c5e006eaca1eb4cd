import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { type OutboxRelayBackend, outboxRelaySuite } from '@sp-oauth/storage-test-support/outbox-relay-suite'
import { freshTablePrefix, outboxOf } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

const mariadb: OutboxRelayBackend = {
  name: 'MariaDB/MySQL',
  tables: async () => {
    const { db, poolOptions } = database()
    const location = { tablePrefix: freshTablePrefix() }
    await createMysqlStorage({ db }, location).migrate()
    return {
      open: async () =>
        createMysqlStorage(
          { pool: createTestPool({ ...poolOptions, connectionLimit: 3 }) },
          { ...location, outbox: true },
        ),
      readOutbox: outboxOf(db, location),
    }
  },
}

outboxRelaySuite({ backends: [mariadb] })
