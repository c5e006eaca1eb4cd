// Bad input reaching storage, through the real core: awkward values are stored and matched
// exactly (parameters, never SQL text), or refused by the core before any statement.
import { PGlite } from '@electric-sql/pglite'
import { type AuthorizationServer, OAuthError, SpOAuthError } from '@sp-oauth/core'
import {
  AWKWARD_CLAIMS,
  AWKWARD_USER_IDS,
  authorizeCode,
  coreOn,
  createGuaranteeClient,
  type GuaranteeClient,
  roundTripUser,
  sharedClock,
} from '@sp-oauth/storage-test-support/core-guarantees'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'

const database = usePostgresTestSchema()

const backends: readonly {
  readonly name: string
  readonly open: () => Promise<{ server: AuthorizationServer; close: () => Promise<void> }>
}[] = [
  {
    name: 'PostgreSQL (pg Pool)',
    open: async () => {
      const { db, schema } = database()
      const storage = createPostgresStorage({ db }, { tablePrefix: freshTablePrefix(), schema })
      await storage.migrate()
      return { server: coreOn(storage, sharedClock()), close: async () => {} }
    },
  },
  {
    name: 'PGlite',
    open: async () => {
      const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
      const storage = createPostgresStorage({ db })
      await storage.migrate()
      return { server: coreOn(storage, sharedClock()), close: () => db.destroy() }
    },
  },
]

for (const backend of backends) {
  describe(`on ${backend.name}`, () => {
    let server: AuthorizationServer
    let client: GuaranteeClient
    let close: () => Promise<void> = async () => {}

    beforeAll(async () => {
      ;({ server, close } = await backend.open())
      client = await createGuaranteeClient(server)
    }, 60_000)

    afterAll(async () => {
      await close()
    })

    it('stores a 200-character client name of quotes, backslashes, SQL and emoji, and reads it back exactly', async () => {
      const name = `'; DROP TABLE clients; -- "x" \\ %00 🙂 `.padEnd(200, 'ü')
      const created = await server.createClient({
        name,
        redirectUris: ['https://client.example.com/callback'],
        allowedGrants: ['authorization_code'],
        allowedScopes: ['invoices.read'],
        confidential: true,
      })
      const found = await server.context.storage.repositories.clients.findById(created.client.id)
      expect(found?.name).toBe(name)
    })

    it.each(
      AWKWARD_USER_IDS.map((userId) => [userId.length > 40 ? `${userId.slice(0, 40)}…` : userId, userId]),
    )(
      'round-trips user id %j and awkward claims through approve, token, bearer and refresh exactly',
      async (_label, userId) => {
        await roundTripUser(server, client, userId, AWKWARD_CLAIMS)
      },
    )

    it('refuses a user id with a NUL byte in the core (SpOAuthError), before storage', async () => {
      const error = await authorizeCode(server, client, { userId: 'user\u0000-1' }).then(
        () => null,
        (reason: unknown) => reason,
      )
      expect(error).toBeInstanceOf(SpOAuthError)
      expect(error).not.toBeInstanceOf(OAuthError)
    })

    it('refuses a user id longer than 255 characters in the core', async () => {
      await expect(authorizeCode(server, client, { userId: 'u'.repeat(256) })).rejects.toBeInstanceOf(
        SpOAuthError,
      )
    })
  })
}
