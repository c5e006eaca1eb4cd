// Atomicity through the real core on MariaDB/MySQL: a failure injected at each statement of a
// code exchange and of a refresh rotation leaves a clean server_error and either the whole change
// or none of it.
import type { AuthorizationServer } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import {
  codeExchangeAtomicity,
  coreOn,
  createGuaranteeClient,
  FaultInjectingDialect,
  type GuaranteeClient,
  refreshRotationAtomicity,
  StatementFaults,
  sharedClock,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { Kysely, MysqlDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { createTestPool, freshTablePrefix, useMysqlTestDatabase } from './test-support/mysql-test-database.js'

const database = useMysqlTestDatabase()

describe('on MariaDB/MySQL (mysql2)', () => {
  let server: AuthorizationServer
  let client: GuaranteeClient
  let tables: Kysely<SpOAuthDatabase>
  let faulty: Kysely<unknown>
  const faults = new StatementFaults()

  beforeAll(async () => {
    const { db, poolOptions } = database()
    const location = { tablePrefix: freshTablePrefix() }
    faulty = new Kysely<unknown>({
      dialect: new FaultInjectingDialect(
        new MysqlDialect({ pool: createTestPool({ ...poolOptions, connectionLimit: 4 }) }),
        faults,
      ),
    })
    const storage = createMysqlStorage({ db: faulty }, location)
    await storage.migrate()
    server = coreOn(storage, sharedClock())
    client = await createGuaranteeClient(server)
    tables = tablesOf(db, location)
  }, 60_000)

  afterAll(async () => {
    await faulty?.destroy()
  })

  it('a code exchange failing at any statement renders server_error, commits nothing, and the code still redeems', async () => {
    const statements = await codeExchangeAtomicity(server, client, tables, faults)
    expect(statements.some((statement) => /^(begin|start transaction)/i.test(statement))).toBe(true)
    expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
  }, 60_000)

  it('a refresh rotation failing at any statement renders server_error, commits nothing, and the old token still rotates', async () => {
    const statements = await refreshRotationAtomicity(server, client, tables, faults)
    expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
  }, 60_000)
})
