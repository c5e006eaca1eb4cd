import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createNodeCrypto } from '@sp-oauth/core/node'
const { createPostgresStorage } = await import(process.cwd() + '/dist/index.js')
const schema = 'pf_' + randomBytes(4).toString('hex')
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 16 }) }) })
const storage = createPostgresStorage({ db }, { schema })
await storage.migrate()
const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, ...createNodeCrypto({ keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }) })
const R = 'https://client.example.com/callback'
const { client, plaintextSecret } = await server.createClient({ name: 'AB', redirectUris: [R], allowedGrants: ['authorization_code', 'refresh_token'], allowedScopes: ['invoices.read'], confidential: true })
const cred = { client_id: client.id, client_secret: plaintextSecret }
const auth = async () => { const r = await server.validateAuthorizationRequest({ response_type: 'code', client_id: client.id, redirect_uri: R, scope: 'invoices.read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }); return (await server.approveAuthorizationRequest(r, 'u1')).code }
const ex = (code) => server.issueTokenFromRequest({ body: { grant_type: 'authorization_code', ...cred, code, redirect_uri: R, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' } })
const N = 4000
const codes = []
for (let i = 0; i < N + 300; i++) codes.push(await auth())
const run = async (list) => { let next = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (next < list.length) await ex(list[next++]) })) }
await run(codes.slice(N))
const session = new Session(); session.connect()
await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 }); await session.post('Profiler.start')
const c0 = process.cpuUsage()
await run(codes.slice(0, N))
const c = process.cpuUsage(c0)
const { profile } = await session.post('Profiler.stop')
writeFileSync(process.argv[2], JSON.stringify(profile))
console.log('node µs/op', Math.round((c.user + c.system) / N))
await sql`drop schema ${sql.id(schema)} cascade`.execute(db); await db.destroy()
