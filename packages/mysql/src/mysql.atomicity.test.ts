// Atomicity through the real core on MariaDB/MySQL: a failure injected at each statement of a
// code exchange and of a refresh rotation leaves a clean server_error and either the whole change
// or none of it, both through the storage's `atomicIssuance` (one procedure call; a failure inside
// the procedure is the contract suite's case) and through its unit of work. And the round trips
// those operations cost, counted by the same statement hook.
import type { AuthorizationServer } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import {
  codeExchangeAtomicity,
  coreOn,
  createGuaranteeClient,
  expectOneWritingStatement,
  type GuaranteeClient,
  refreshRotationAtomicity,
  roundTripsPerOperation,
  sharedClock,
  tablesOf,
  withoutAtomicIssuance,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { InterceptingDialect, StatementFaults } from '@sp-oauth/storage-test-support/intercepting-dialect'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

describe('on MariaDB/MySQL (mysql2)', () => {
  let server: AuthorizationServer
  /** On the same storage without `atomicIssuance`: code exchanges and rotations in a unit of work. */
  let unitOfWorkServer: AuthorizationServer
  let client: GuaranteeClient
  let tables: Kysely<SpOAuthDatabase>
  let faulty: Kysely<unknown>
  const faults = new StatementFaults()

  beforeAll(async () => {
    const { db, poolOptions } = database()
    const location = { tablePrefix: freshTablePrefix() }
    faulty = new Kysely<unknown>({
      dialect: new InterceptingDialect(
        new MysqlDialect({ pool: createTestPool({ ...poolOptions, connectionLimit: 4 }) }),
        faults,
      ),
    })
    const storage = createMysqlStorage({ db: faulty }, location)
    await storage.migrate()
    const clock = sharedClock()
    server = coreOn(storage, clock)
    unitOfWorkServer = coreOn(withoutAtomicIssuance(storage), clock)
    client = await createGuaranteeClient(server)
    tables = tablesOf(db, location)
  }, 60_000)

  afterAll(async () => {
    await faulty?.destroy()
  })

  it('a code exchange writes in one procedure call; failing at any statement renders server_error, commits nothing, and the code still redeems', async () => {
    expectOneWritingStatement(await codeExchangeAtomicity(server, client, tables, faults))
  }, 60_000)

  it('a refresh rotation writes in one procedure call; failing at any statement renders server_error, commits nothing, and the old token still rotates', async () => {
    expectOneWritingStatement(await refreshRotationAtomicity(server, client, tables, faults))
  }, 60_000)

  it('without atomicIssuance, a code exchange failing at any statement of its unit of work renders server_error, commits nothing, and the code still redeems', async () => {
    const statements = await codeExchangeAtomicity(unitOfWorkServer, client, tables, faults)
    expect(statements.some((statement) => /^(begin|start transaction)/i.test(statement))).toBe(true)
    expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
  }, 60_000)

  it('without atomicIssuance, a refresh rotation failing at any statement of its unit of work renders server_error, commits nothing, and the old token still rotates', async () => {
    const statements = await refreshRotationAtomicity(unitOfWorkServer, client, tables, faults)
    expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
  }, 60_000)

  it('round trips: a code exchange and a refresh cost at most 4 statements each, a bearer check 1', async () => {
    const trips = await roundTripsPerOperation(server, client, faults)
    expect(trips.codeExchange).toBeLessThanOrEqual(4)
    expect(trips.refresh).toBeLessThanOrEqual(4)
    expect(trips.bearer).toBe(1)
  })
})
