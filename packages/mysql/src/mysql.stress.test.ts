// Exactly-once under real races, through the real core, on MariaDB/MySQL: one pool, and two core
// instances on two pools against the same tables.
import type { AuthorizationServer } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import {
  codeRedemptionRound,
  coreOn,
  createGuaranteeClient,
  type GuaranteeClient,
  PARALLEL_REQUESTS,
  refreshRotationRound,
  STRESS_ROUNDS,
  sharedClock,
  tablesOf,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { Kysely, MysqlDialect } from 'kysely'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { createTestPool, freshTablePrefix, useMysqlTestDatabase } from './test-support/mysql-test-database.js'

const database = useMysqlTestDatabase()
const TIMEOUT = 180_000

describe(`on MariaDB/MySQL (mysql2): ${PARALLEL_REQUESTS} parallel requests, ${STRESS_ROUNDS} rounds`, () => {
  let one: AuthorizationServer
  let two: AuthorizationServer
  let client: GuaranteeClient
  let tables: Kysely<SpOAuthDatabase>
  let secondDb: Kysely<unknown>

  beforeAll(async () => {
    const { db, poolOptions } = database()
    const location = { tablePrefix: freshTablePrefix() }
    const first = createMysqlStorage({ db }, location)
    await first.migrate()
    secondDb = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createTestPool(poolOptions) }) })
    const clock = sharedClock()
    one = coreOn(first, clock)
    two = coreOn(createMysqlStorage({ db: secondDb }, location), clock)
    client = await createGuaranteeClient(one)
    tables = tablesOf(db, location)
  }, 60_000)

  afterAll(async () => {
    await secondDb?.destroy()
  })

  it(
    'redeems an authorization code exactly once, the replays getting invalid_grant and revoking its tokens',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++) await codeRedemptionRound([one], client)
    },
    TIMEOUT,
  )

  it(
    'redeems an authorization code exactly once across two core instances on two pools',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++) await codeRedemptionRound([one, two], client)
    },
    TIMEOUT,
  )

  it(
    'rotates a refresh token at most once, leaving no two live refresh tokens in its family',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++) await refreshRotationRound([one], client, tables)
    },
    TIMEOUT,
  )

  it(
    'rotates a refresh token at most once across two core instances on two pools',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++)
        await refreshRotationRound([one, two], client, tables)
    },
    TIMEOUT,
  )
})
