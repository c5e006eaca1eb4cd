// Exactly-once under real races, through the real core: on PostgreSQL (one pool, and two core
// instances on two pools against the same tables) and on PGlite.
import { PGlite } from '@electric-sql/pglite'
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
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'
import { freshTablePrefix, usePostgresTestSchema } from './test-support/postgres-test-schema.js'

const database = usePostgresTestSchema()
const TIMEOUT = 180_000

describe(`on PostgreSQL (pg Pool): ${PARALLEL_REQUESTS} parallel requests, ${STRESS_ROUNDS} rounds`, () => {
  let one: AuthorizationServer
  let two: AuthorizationServer
  let client: GuaranteeClient
  let tables: Kysely<SpOAuthDatabase>
  let secondDb: Kysely<unknown>

  beforeAll(async () => {
    const { db, url, schema } = database()
    const location = { tablePrefix: freshTablePrefix(), schema }
    const first = createPostgresStorage({ db }, location)
    await first.migrate()
    secondDb = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }),
    })
    const clock = sharedClock()
    one = coreOn(first, clock)
    two = coreOn(createPostgresStorage({ db: secondDb }, location), clock)
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

// PGlite is one embedded connection in one process: two pools on it cannot exist, so it runs the
// single-instance races only.
describe(`on PGlite: ${PARALLEL_REQUESTS} parallel requests, ${STRESS_ROUNDS} rounds`, () => {
  let db: Kysely<unknown>
  let server: AuthorizationServer
  let client: GuaranteeClient
  let tables: Kysely<SpOAuthDatabase>

  beforeAll(async () => {
    db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
    const location = { tablePrefix: 'sp_oauth_' }
    const storage = createPostgresStorage({ db }, location)
    await storage.migrate()
    server = coreOn(storage, sharedClock())
    client = await createGuaranteeClient(server)
    tables = tablesOf(db, location)
  }, 60_000)

  afterAll(async () => {
    await db?.destroy()
  })

  it(
    'redeems an authorization code exactly once, the replays getting invalid_grant and revoking its tokens',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++) await codeRedemptionRound([server], client)
    },
    TIMEOUT,
  )

  it(
    'rotates a refresh token at most once, leaving no two live refresh tokens in its family',
    async () => {
      for (let round = 0; round < STRESS_ROUNDS; round++) await refreshRotationRound([server], client, tables)
    },
    TIMEOUT,
  )
})
