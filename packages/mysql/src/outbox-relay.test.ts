import { type OutboxRelayBackend, outboxRelaySuite } from '@sp-oauth/storage-test-support/outbox-relay-suite'
import { createMysqlStorage } from './create-mysql-storage.js'
import {
  createTestPool,
  freshTablePrefix,
  outboxOf,
  useMysqlTestDatabase,
} from './test-support/mysql-test-database.js'

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
