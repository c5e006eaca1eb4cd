// Times main's rotation statement against the baseline's, alternately, on one database.
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createNodeCrypto } from '@sp-oauth/core/node'
const { createPostgresStorage, PGliteDialect } = await import(process.cwd() + '/dist/index.js')
const backend = process.argv[2]
let captured = []
const log = (e) => captured.push({ sql: e.query.sql, params: [...e.query.parameters] })
let db, schema = null, pool
if (backend === 'pglite') db = new Kysely({ dialect: new PGliteDialect(new PGlite()), log })
else { schema = 'ab_' + randomBytes(4).toString('hex'); pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 }); db = new Kysely({ dialect: new PostgresDialect({ pool }), log }) }
const storage = createPostgresStorage({ db }, schema ? { schema } : {})
await storage.migrate()
const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, ...createNodeCrypto({ keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }) })
const R = 'https://client.example.com/callback'
const { client, plaintextSecret } = await server.createClient({ name: 'AB', redirectUris: [R], allowedGrants: ['authorization_code', 'refresh_token'], allowedScopes: ['invoices.read'], confidential: true })
const cred = { client_id: client.id, client_secret: plaintextSecret }
const r = await server.validateAuthorizationRequest({ response_type: 'code', client_id: client.id, redirect_uri: R, scope: 'invoices.read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })
const { code } = await server.approveAuthorizationRequest(r, 'u1')
const t = await server.issueTokenFromRequest({ body: { grant_type: 'authorization_code', ...cred, code, redirect_uri: R, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' } })
captured = []
await server.issueTokenFromRequest({ body: { grant_type: 'refresh_token', ...cred, refresh_token: t.refresh_token } })
const main = captured.find((c) => c.sql.startsWith('with'))
const rt = (schema ? schema + '.' : '') + 'sp_oauth_refresh_tokens'
const variants = {
  main: { sql: main.sql, claim: 2, access: 3, refresh: 16, shift: 0 },
  baseline: {
    sql: main.sql
      .replace(/^with "live" as \(.*? for share\), /, 'with ')
      .replace(' and exists (select 1 as "one" from "live")', '')
      .replace(', (select count(*) as "n" from "live") as "live"', ''),
    claim: 2, access: 3, refresh: 16, shift: 0,
  },
}
// The baseline statement still numbers $1 (the client id), unused: re-number it away.
variants.baseline.sql = variants.baseline.sql.replace(/\$(\d+)/g, (_, n) => `$${Number(n) - 1}`)
variants.baseline.shift = 1
const liveFrom = /^with "live" as \(select 1 as "one" (from .*? where "id" = \$1 and "revoked_at" is null) for share\), /.exec(main.sql)[1]
variants.inline = {
  sql: main.sql
    .replace(/^with "live" as \(.*? for share\), /, 'with ')
    .replace(' and exists (select 1 as "one" from "live")', ` and exists (select 1 ${liveFrom} for share)`)
    .replace(', (select count(*) as "n" from "live") as "live"', ''),
  claim: 2, access: 3, refresh: 16, shift: 0,
}
variants.inlineKey = { ...variants.inline, sql: variants.inline.sql.replace(' for share)', ' for key share)') }
const times = {}
variants.inlineNoLock = { ...variants.inline, sql: variants.inline.sql.replace(' for share)', ')') }
const NAMES = (process.env.VARIANTS ?? 'main,baseline').split(',')
for (const n of NAMES) times[n] ??= []
const fresh = () => randomBytes(16).toString('hex')
async function newToken() {
  const id = fresh(), hash = fresh()
  await sql`insert into ${sql.table(rt)} (id, token_hash, hash_key_id, family_id, parent_id, client_id, user_id, scopes, claims, access_token_id, family_created_at, created_at, expires_at) select ${id}, ${hash}, hash_key_id, family_id, null, client_id, user_id, scopes, claims, access_token_id, family_created_at, created_at, expires_at from ${sql.table(rt)} limit 1`.execute(db)
  return hash
}
const N = Number(process.env.N ?? 1500)
for (let i = 0; i < N; i++) {
  for (const name of i % 2 ? NAMES : [...NAMES].reverse()) {
    const v = variants[name]
    const hash = await newToken()
    const params = [...main.params]
    params[v.claim] = hash
    params[v.access] = fresh(); params[v.access + 1] = fresh()
    params[v.refresh] = fresh(); params[v.refresh + 1] = fresh()
    const used = params.slice(v.shift)
    const start = performance.now()
    const out = await db.executeQuery({ sql: v.sql, parameters: used, query: { kind: 'RawNode' }, queryId: { queryId: 'x' } })
    const ms = performance.now() - start
    if (i === 0) console.log(name, JSON.stringify(out.rows[0]))
    if (i >= 100) times[name].push(ms)
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] }
console.log(backend, NAMES.map((n) => `${n} ${med(times[n]).toFixed(3)} (${(med(times.baseline ?? times[NAMES[0]]) / med(times[n])).toFixed(3)}×)`).join('  '))
if (schema) await sql`drop schema ${sql.id(schema)} cascade`.execute(db)
await db.destroy()
