// Exactly-once under real races, through the real core, on MariaDB/MySQL: one pool, and two core
// instances on two pools against the same tables.
import { exactlyOnceSuite } from '@sp-oauth/storage-test-support/exactly-once-suite'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect } from 'kysely'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

exactlyOnceSuite({
  name: 'MariaDB/MySQL (mysql2)',
  twoInstances: true,
  open: async () => {
    const { db, poolOptions } = database()
    const location = { tablePrefix: freshTablePrefix() }
    const secondDb = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createTestPool(poolOptions) }) })
    return {
      storages: [createMysqlStorage({ db }, location), createMysqlStorage({ db: secondDb }, location)],
      db,
      location,
      close: () => secondDb.destroy(),
    }
  },
})
