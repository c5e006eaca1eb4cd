// The same flow from CommonJS, with require.
const { createAuthorizationServer, OAuthError } = require('@sp-oauth/core')
const { nodeCrypto } = require('@sp-oauth/core/node')
const { createPostgresStorage } = require('@sp-oauth/postgres')
const pg = require('pg')

const PG_URL = 'SP_OAUTH_TEST_PG_URL'

async function main() {
  const url = process.env[PG_URL] ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `sp_oauth_release_cjs_${process.pid}`
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
      body: { grant_type: 'client_credentials', client_id: client.id, client_secret: plaintextSecret },
    })
    await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
    const refused = await server.authenticateBearer({ authorization: 'Bearer spoat_unknown' }).then(
      () => null,
      (error) => error,
    )
    if (!(refused instanceof OAuthError) || refused.code !== 'invalid_token')
      throw new Error('expected invalid_token')
    console.log('cjs: client_credentials on PostgreSQL ok')
  } finally {
    await pool.query(`drop schema if exists "${schema}" cascade`)
    await storage.close()
  }
}
main().catch((error) => {
  console.error(error)
  process.exit(1)
})
