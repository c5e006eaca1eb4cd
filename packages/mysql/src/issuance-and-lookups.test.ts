// The shared atomic issuance and lookup suites on MariaDB/MySQL: what a code exchange, rotation or
// client_credentials issuance (a procedure call, or one INSERT … SELECT) leaves in the tables, and
// how many statements each step and each lookup by key sends.
import {
  atomicIssuanceSuite,
  type IssuanceBackend,
} from '@sp-oauth/storage-test-support/atomic-issuance-suite'
import { tablesOf } from '@sp-oauth/storage-test-support/core-guarantees'
import { InterceptingDialect, StatementFaults } from '@sp-oauth/storage-test-support/intercepting-dialect'
import { lookupSuite } from '@sp-oauth/storage-test-support/lookup-suite'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

/**
 * A trigger that fails the next insert into the access tokens with a deadlock (errno 1213), once:
 * a MyISAM table holds whether it is armed, and is not rolled back with the insert.
 */
async function failNextAccessTokenInsert(db: Kysely<unknown>, tablePrefix: string): Promise<void> {
  const armed = sql.id(`${tablePrefix}fail_once`)
  await sql`create table ${armed} (armed int not null) engine = MyISAM`.execute(db)
  await sql`insert into ${armed} values (1)`.execute(db)
  await sql`create trigger ${sql.id(`${tablePrefix}fail_once`)} before insert on ${sql.id(`${tablePrefix}access_tokens`)}
    for each row begin
      if (select armed from ${armed}) = 1 then
        update ${armed} set armed = 0;
        signal sqlstate '40001' set mysql_errno = 1213, message_text = 'injected deadlock';
      end if;
    end`.execute(db)
}

const mariadb: IssuanceBackend = {
  name: 'MariaDB/MySQL (mysql2)',
  open: async () => {
    const { db, poolOptions } = database()
    const tablePrefix = freshTablePrefix()
    const faults = new StatementFaults()
    const counted = new Kysely<unknown>({
      dialect: new InterceptingDialect(
        new MysqlDialect({ pool: createTestPool({ ...poolOptions, connectionLimit: 4 }) }),
        faults,
      ),
    })
    const storage = (options: { readonly outbox: boolean }) =>
      createMysqlStorage({ db: counted }, { tablePrefix, ...options })
    await storage({ outbox: false }).migrate()
    return {
      storage,
      faults,
      tablePrefix,
      tables: tablesOf(db, { tablePrefix }),
      failNextAccessTokenInsert: () => failNextAccessTokenInsert(db, tablePrefix),
      close: () => counted.destroy(),
    }
  },
  // A row lock wait shows in InnoDB's transactions, a table lock wait in the process list; either
  // way the waiting statement (one inside a procedure too) names the prefixed tables.
  lockWaits: async (tablePrefix) => {
    const { rows } = await sql<{ rowLocks: number | string; tableLocks: number | string }>`
      select
        (select count(*) from information_schema.innodb_trx
          where trx_state = 'LOCK WAIT' and locate(${tablePrefix}, trx_query) > 0) as ${sql.id('rowLocks')},
        (select count(*) from information_schema.processlist
          where state like 'Waiting for%lock%' and locate(${tablePrefix}, info) > 0) as ${sql.id('tableLocks')}`.execute(
      database().db,
    )
    return Number(rows[0]?.rowLocks ?? 0) + Number(rows[0]?.tableLocks ?? 0)
  },
}

atomicIssuanceSuite(mariadb)
lookupSuite(mariadb)
