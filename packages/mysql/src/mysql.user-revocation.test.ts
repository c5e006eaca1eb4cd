// revokeUserTokens racing refresh rotations of the same user, through the real core on real
// MariaDB/MySQL: once it resolves, no token of the user survives.
import {
  coreOn,
  createGuaranteeClient,
  sharedClock,
  tablesOf,
  userRevocationDuringRotations,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { describe, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

describe('on MariaDB/MySQL (mysql2)', () => {
  it('revokeUserTokens during concurrent refresh rotations of the user: afterwards no access or refresh token of the user is unrevoked (10 rounds)', async () => {
    const { db } = database()
    const tablePrefix = freshTablePrefix()
    const storage = createMysqlStorage({ db }, { tablePrefix })
    await storage.migrate()
    const server = coreOn(storage, sharedClock())
    const client = await createGuaranteeClient(server)
    for (let round = 0; round < 10; round++) {
      await userRevocationDuringRotations(server, client, tablesOf(db, { tablePrefix }))
    }
  }, 120_000)
})
