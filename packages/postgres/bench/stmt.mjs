import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createNodeCrypto } from '@sp-oauth/core/node'
import { performance } from 'node:perf_hooks'
const { createPostgresStorage, PGliteDialect } = await import(process.cwd() + '/dist/index.js')
let on = false
const agg = {}
const db = new Kysely({ dialect: new PGliteDialect(new PGlite()), log: (e) => { if (!on) return; const k = e.query.sql.slice(0, 60); agg[k] ??= { n: 0, ms: 0 }; agg[k].n++; agg[k].ms += e.queryDurationMillis } })
const storage = createPostgresStorage({ db })
await storage.migrate()
const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, ...createNodeCrypto({ keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }) })
const R = 'https://client.example.com/callback'
const { client, plaintextSecret } = await server.createClient({ name: 'AB', redirectUris: [R], allowedGrants: ['authorization_code', 'refresh_token'], allowedScopes: ['invoices.read'], confidential: true })
const cred = { client_id: client.id, client_secret: plaintextSecret }
const auth = async () => { const r = await server.validateAuthorizationRequest({ response_type: 'code', client_id: client.id, redirect_uri: R, scope: 'invoices.read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }); return (await server.approveAuthorizationRequest(r, 'u1')).code }
const ex = async (code) => server.issueTokenFromRequest({ body: { grant_type: 'authorization_code', ...cred, code, redirect_uri: R, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' } })
const N = 600
const rts = []
for (let i = 0; i < N + 200; i++) rts.push((await ex(await auth())).refresh_token)
for (let i = 0; i < 200; i++) await server.issueTokenFromRequest({ body: { grant_type: 'refresh_token', ...cred, refresh_token: rts.pop() } })
on = true
const t0 = performance.now(); const c0 = process.cpuUsage()
for (let i = 0; i < N; i++) await server.issueTokenFromRequest({ body: { grant_type: 'refresh_token', ...cred, refresh_token: rts.pop() } })
const c = process.cpuUsage(c0)
console.log('refresh per op ms', ((performance.now() - t0) / N).toFixed(3), 'cpu µs', ((c.user + c.system) / N).toFixed(0))
for (const [k, v] of Object.entries(agg)) console.log((v.ms / v.n).toFixed(3), k)
await db.destroy()
