// Bad input reaching storage, through the real core, on MariaDB/MySQL: awkward values are stored
// and matched exactly (parameters, never SQL text), or refused by the core before any statement.
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
import { useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

describe('on MariaDB/MySQL (mysql2)', () => {
  let server: AuthorizationServer
  let client: GuaranteeClient

  beforeAll(async () => {
    const storage = createMysqlStorage({ db: database().db }, { tablePrefix: freshTablePrefix() })
    await storage.migrate()
    server = coreOn(storage, sharedClock())
    client = await createGuaranteeClient(server)
  }, 60_000)

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
