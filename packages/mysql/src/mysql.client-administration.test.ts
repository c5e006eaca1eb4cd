// Client administration through the real core on real MariaDB/MySQL.
import { expectClientAdministration } from '@sp-oauth/storage-test-support/client-administration-suite'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { describe, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

describe('client administration through the core', () => {
  it('on MariaDB/MySQL (mysql2): pages, search, racing updates, the authentication method, lifetimes', async () => {
    const { db } = database()
    const storage = createMysqlStorage({ db }, { tablePrefix: freshTablePrefix() })
    await storage.migrate()
    await expectClientAdministration(storage)
  })
})
