// revokeClient against an issuance held up between its client check and its write, through the
// real core on real PostgreSQL: the revocation waits for the issuance and revokes what it stored.
import { randomInt } from 'node:crypto'
import {
  clientRevocationWhileIssuanceHeldUp,
  type HoldAccessTokenInserts,
  holdOnOwnConnection,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type Kysely, sql } from 'kysely'
import { describe, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()

/**
 * A `BEFORE INSERT` trigger on the access tokens that takes a transaction advisory lock; the test
 * holds that lock on a connection of its own while inserts must wait. The key is random, since
 * advisory locks are shared by the whole database.
 */
async function advisoryLockHold(
  db: Kysely<unknown>,
  schema: string,
  tablePrefix: string,
): Promise<HoldAccessTokenInserts> {
  const key = randomInt(1, 2 ** 31 - 1)
  const hold = sql.id(schema, `${tablePrefix}hold_insert`)
  await sql`create function ${hold}() returns trigger language plpgsql as ${sql.lit(
    `begin perform pg_advisory_xact_lock(${key}); return new; end`,
  )}`.execute(db)
  await sql`create trigger ${sql.id(`${tablePrefix}hold_insert`)} before insert on ${sql.id(schema, `${tablePrefix}access_tokens`)}
    for each row execute function ${hold}()`.execute(db)
  return holdOnOwnConnection(db, sql`select pg_advisory_lock(${key})`, sql`select pg_advisory_unlock(${key})`)
}

describe('on PostgreSQL (pg Pool)', () => {
  it('a client_credentials issuance held up after its client check while revokeClient runs: afterwards no token row of the client is unrevoked', async () => {
    const { db, schema } = database()
    const tablePrefix = freshTablePrefix()
    const storage = createPostgresStorage({ db }, { tablePrefix, schema })
    await storage.migrate()
    await clientRevocationWhileIssuanceHeldUp(
      storage,
      tablesOf(db, { tablePrefix, schema }),
      await advisoryLockHold(db, schema, tablePrefix),
    )
  }, 60_000)
})
