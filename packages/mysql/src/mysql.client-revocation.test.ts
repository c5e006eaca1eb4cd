// revokeClient against an issuance held up between its client check and its write, through the
// real core on real MariaDB/MySQL: the revocation waits for the issuance and revokes what it stored.
import { randomBytes } from 'node:crypto'
import {
  clientRevocationWhileIssuanceHeldUp,
  type HoldAccessTokenInserts,
  holdOnOwnConnection,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { type Kysely, sql } from 'kysely'
import { describe, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { freshTablePrefix, useMysqlTestDatabase } from './test-support/mysql-test-database.js'

const database = useMysqlTestDatabase()

/**
 * A `BEFORE INSERT` trigger on the access tokens that takes a user-level lock (`GET_LOCK`) and
 * gives it back; the test holds that lock on a connection of its own while inserts must wait. The
 * name is random, since user-level locks are shared by the whole server.
 */
async function userLockHold(db: Kysely<unknown>, tablePrefix: string): Promise<HoldAccessTokenInserts> {
  const name = `sp_oauth_hold_${randomBytes(6).toString('hex')}`
  await sql`create trigger ${sql.id(`${tablePrefix}hold_insert`)} before insert on ${sql.id(`${tablePrefix}access_tokens`)}
    for each row begin
      set @sp_oauth_held = get_lock(${sql.lit(name)}, 30);
      set @sp_oauth_released = release_lock(${sql.lit(name)});
    end`.execute(db)
  return holdOnOwnConnection(db, sql`select get_lock(${name}, 10)`, sql`select release_lock(${name})`)
}

describe('on MariaDB/MySQL (mysql2)', () => {
  it('a client_credentials issuance held up after its client check while revokeClient runs: afterwards no token row of the client is unrevoked', async () => {
    const { db } = database()
    const tablePrefix = freshTablePrefix()
    const storage = createMysqlStorage({ db }, { tablePrefix })
    await storage.migrate()
    await clientRevocationWhileIssuanceHeldUp(
      storage,
      tablesOf(db, { tablePrefix }),
      await userLockHold(db, tablePrefix),
    )
  }, 60_000)
})
