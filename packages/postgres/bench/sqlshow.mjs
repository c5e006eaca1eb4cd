import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createNodeCrypto } from '@sp-oauth/core/node'
const { createPostgresStorage, PGliteDialect } = await import(process.cwd() + '/dist/index.js')
let log = []
const db = new Kysely({ dialect: new PGliteDialect(new PGlite()), log: (e) => log.push(e.query.sql) })
const storage = createPostgresStorage({ db })
await storage.migrate()
const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, ...createNodeCrypto({ keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }) })
const R = 'https://client.example.com/callback'
const { client, plaintextSecret } = await server.createClient({ name: 'AB', redirectUris: [R], allowedGrants: ['authorization_code', 'refresh_token'], allowedScopes: ['invoices.read'], confidential: true })
const cred = { client_id: client.id, client_secret: plaintextSecret }
const r = await server.validateAuthorizationRequest({ response_type: 'code', client_id: client.id, redirect_uri: R, scope: 'invoices.read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })
const { code } = await server.approveAuthorizationRequest(r, 'u1')
log = []
const t = await server.issueTokenFromRequest({ body: { grant_type: 'authorization_code', ...cred, code, redirect_uri: R, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' } })
console.log('EXCHANGE'); for (const s of log) console.log(s)
log = []
await server.issueTokenFromRequest({ body: { grant_type: 'refresh_token', ...cred, refresh_token: t.refresh_token } })
console.log('REFRESH'); for (const s of log) console.log(s)
await db.destroy()
