// revokeUserTokens racing refresh rotations of the same user, through the real core on real
// PostgreSQL and PGlite: once it resolves, no token of the user survives.
import { PGlite } from '@electric-sql/pglite'
import type { AuthorizationServer } from '@sp-oauth/core'
import type { SpOAuthDatabase } from '@sp-oauth/sql'
import {
  coreOn,
  createGuaranteeClient,
  sharedClock,
  tablesOf,
  userRevocationDuringRotations,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely } from 'kysely'
import { describe, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

const backends: readonly {
  readonly name: string
  readonly open: () => Promise<{
    server: AuthorizationServer
    tables: Kysely<SpOAuthDatabase>
    close: () => Promise<void>
  }>
}[] = [
  {
    name: 'PostgreSQL (pg Pool)',
    open: async () => {
      const { db, schema } = database()
      const tablePrefix = freshTablePrefix()
      const storage = createPostgresStorage({ db }, { tablePrefix, schema })
      await storage.migrate()
      return {
        server: coreOn(storage, sharedClock()),
        tables: tablesOf(db, { tablePrefix, schema }),
        close: async () => {},
      }
    },
  },
  {
    name: 'PGlite',
    open: async () => {
      const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
      const storage = createPostgresStorage({ db })
      await storage.migrate()
      return {
        server: coreOn(storage, sharedClock()),
        tables: tablesOf(db, { tablePrefix: 'sp_oauth_' }),
        close: () => db.destroy(),
      }
    },
  },
]

for (const backend of backends) {
  describe(`on ${backend.name}`, () => {
    it('revokeUserTokens during concurrent refresh rotations of the user: afterwards no access or refresh token of the user is unrevoked (10 rounds)', async () => {
      const { server, tables, close } = await backend.open()
      try {
        const client = await createGuaranteeClient(server)
        for (let round = 0; round < 10; round++) await userRevocationDuringRotations(server, client, tables)
      } finally {
        await close()
      }
    }, 120_000)
  })
}
