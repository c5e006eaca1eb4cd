// Atomicity through the real core: a failure injected at each statement of a code exchange and of
// a refresh rotation leaves a clean server_error and either the whole change or none of it, both
// through the storage's one-statement `atomicIssuance` and through its unit of work. And the round
// trips those operations cost, counted by the same statement hook.
import { PGlite } from '@electric-sql/pglite'
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
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

interface Subject {
  readonly server: AuthorizationServer
  /** On the same storage without `atomicIssuance`: code exchanges and rotations in a unit of work. */
  readonly unitOfWorkServer: AuthorizationServer
  readonly client: GuaranteeClient
  readonly tables: Kysely<SpOAuthDatabase>
  readonly faults: StatementFaults
  readonly close: () => Promise<void>
}

const backends: readonly { readonly name: string; readonly open: () => Promise<Subject> }[] = [
  {
    name: 'PostgreSQL (pg Pool)',
    open: async () => {
      const { db, url, schema } = database()
      const location = { tablePrefix: freshTablePrefix(), schema }
      const faults = new StatementFaults()
      const faulty = new Kysely<unknown>({
        dialect: new InterceptingDialect(
          new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }),
          faults,
        ),
      })
      const storage = createPostgresStorage({ db: faulty }, location)
      await storage.migrate()
      const clock = sharedClock()
      const server = coreOn(storage, clock)
      const unitOfWorkServer = coreOn(withoutAtomicIssuance(storage), clock)
      const client = await createGuaranteeClient(server)
      const tables = tablesOf(db, location)
      return { server, unitOfWorkServer, client, tables, faults, close: () => faulty.destroy() }
    },
  },
  {
    name: 'PGlite',
    open: async () => {
      const faults = new StatementFaults()
      const faulty = new Kysely<unknown>({
        dialect: new InterceptingDialect(new PGliteDialect(new PGlite()), faults),
      })
      const location = { tablePrefix: 'sp_oauth_' }
      const storage = createPostgresStorage({ db: faulty }, location)
      await storage.migrate()
      const clock = sharedClock()
      const server = coreOn(storage, clock)
      const unitOfWorkServer = coreOn(withoutAtomicIssuance(storage), clock)
      const client = await createGuaranteeClient(server)
      const tables = tablesOf(faulty, location)
      return { server, unitOfWorkServer, client, tables, faults, close: () => faulty.destroy() }
    },
  },
]

for (const backend of backends) {
  describe(`on ${backend.name}`, () => {
    let subject: Subject

    beforeAll(async () => {
      subject = await backend.open()
    }, 60_000)

    afterAll(async () => {
      await subject?.close()
    })

    it('a code exchange writes in one statement; failing at any statement renders server_error, commits nothing, and the code still redeems', async () => {
      const { server, client, tables, faults } = subject
      expectOneWritingStatement(await codeExchangeAtomicity(server, client, tables, faults))
    }, 60_000)

    it('a refresh rotation writes in one statement; failing at any statement renders server_error, commits nothing, and the old token still rotates', async () => {
      const { server, client, tables, faults } = subject
      expectOneWritingStatement(await refreshRotationAtomicity(server, client, tables, faults))
    }, 60_000)

    it('without atomicIssuance, a code exchange failing at any statement of its unit of work renders server_error, commits nothing, and the code still redeems', async () => {
      const { unitOfWorkServer, client, tables, faults } = subject
      const statements = await codeExchangeAtomicity(unitOfWorkServer, client, tables, faults)
      expect(statements.some((statement) => /^(begin|start transaction)/i.test(statement))).toBe(true)
      expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
    }, 60_000)

    it('without atomicIssuance, a refresh rotation failing at any statement of its unit of work renders server_error, commits nothing, and the old token still rotates', async () => {
      const { unitOfWorkServer, client, tables, faults } = subject
      const statements = await refreshRotationAtomicity(unitOfWorkServer, client, tables, faults)
      expect(statements.some((statement) => /^commit/i.test(statement))).toBe(true)
    }, 60_000)

    it('round trips: a code exchange and a refresh cost at most 4 statements each, a bearer check 1', async () => {
      const { server, client, faults } = subject
      const trips = await roundTripsPerOperation(server, client, faults)
      expect(trips.codeExchange).toBeLessThanOrEqual(4)
      expect(trips.refresh).toBeLessThanOrEqual(4)
      expect(trips.bearer).toBe(1)
    })
  })
}
