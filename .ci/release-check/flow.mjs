// A client_credentials flow on PostgreSQL through the installed tarballs, as an ESM app writes it.
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createPostgresStorage } from '@sp-oauth/postgres'
import pg from 'pg'

const PG_URL = 'SP_OAUTH_TEST_PG_URL'
const url = process.env[PG_URL] ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `sp_oauth_release_${process.pid}`
const pool = new pg.Pool({ connectionString: url, max: 2 })
const storage = createPostgresStorage({ pool }, { schema })
try {
  await storage.migrate()
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: 'a-release-check-hash-key-of-32-bytes!!' }] }),
  })
  const { client, plaintextSecret } = await server.createClient({
    name: 'Release check',
    redirectUris: ['https://client.example.com/cb'],
    allowedGrants: ['client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  const tokens = await server.issueTokenFromRequest({
    body: {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: plaintextSecret,
      scope: 'invoices.read',
    },
  })
  const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
  if (principal.clientId !== client.id || !principal.can('invoices.read')) throw new Error('wrong principal')
  console.log(`esm: client_credentials on PostgreSQL ok (${tokens.token_type}, ${tokens.expires_in} s)`)
} finally {
  await pool.query(`drop schema if exists "${schema}" cascade`)
  await storage.close()
}
