// revokeClient against an issuance held up between its client check and its write, through the
// real core on real MariaDB/MySQL: the revocation waits for the issuance and revokes what it stored.
import { randomBytes } from 'node:crypto'
import {
  clientRevocationWhileIssuanceHeldUp,
  type HoldAccessTokenInserts,
  holdOnOwnConnection,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

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

/** The held-up issuance race on a storage of fresh tables, over `db`. */
async function revocationWhileIssuanceHeldUpOn(db: Kysely<unknown>): Promise<void> {
  const tablePrefix = freshTablePrefix()
  const storage = createMysqlStorage({ db }, { tablePrefix })
  await storage.migrate()
  await clientRevocationWhileIssuanceHeldUp(
    storage,
    tablesOf(db, { tablePrefix }),
    await userLockHold(db, tablePrefix),
  )
}

describe('on MariaDB/MySQL (mysql2)', () => {
  it('a client_credentials issuance held up after its client check while revokeClient runs: afterwards no token row of the client is unrevoked', async () => {
    await revocationWhileIssuanceHeldUpOn(database().db)
  }, 60_000)

  it('the same at READ COMMITTED (a common server setting), where an INSERT … SELECT reads its source rows unlocked unless told to lock them', async () => {
    const pool = createTestPool(database().poolOptions)
    pool.on('connection', (connection) => {
      connection.query('set session transaction isolation level read committed')
    })
    const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) })
    try {
      // MariaDB names the variable tx_isolation; MySQL 8 only transaction_isolation.
      const level = await sql<{ level: string }>`select @@session.tx_isolation as level`
        .execute(db)
        .catch(() => sql<{ level: string }>`select @@session.transaction_isolation as level`.execute(db))
      expect(level.rows[0]?.level).toBe('READ-COMMITTED')
      await revocationWhileIssuanceHeldUpOn(db)
    } finally {
      await db.destroy()
    }
  }, 60_000)
})
