// Times main's code-exchange statement against the same without the client check, alternately.
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createNodeCrypto } from '@sp-oauth/core/node'
const { createPostgresStorage, PGliteDialect } = await import(process.cwd() + '/dist/index.js')
const backend = process.argv[2]
const kind = process.argv[3] ?? 'exchange'
let captured = []
const log = (e) => captured.push({ sql: e.query.sql, params: [...e.query.parameters] })
let db, schema = null
if (backend === 'pglite') db = new Kysely({ dialect: new PGliteDialect(new PGlite()), log })
else { schema = 'ab_' + randomBytes(4).toString('hex'); db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 }) }), log }) }
const storage = createPostgresStorage({ db }, schema ? { schema } : {})
await storage.migrate()
if (process.env.AB_DROP) for (const i of ['access_tokens_user_client', 'refresh_tokens_user_client', 'authorization_codes_user_client']) await sql`drop index if exists ${sql.id(...(schema ? [schema] : []), 'sp_oauth_' + i)}`.execute(db)
if (process.env.AB_NOFK) {
  const q = (t) => sql.id(...(schema ? [schema] : []), 'sp_oauth_' + t)
  for (const t of ['access_tokens', 'refresh_tokens']) {
    const { rows } = await sql`select conname from pg_constraint where conrelid = ${(schema ? schema + '.' : '') + 'sp_oauth_' + t}::regclass and contype = 'f'`.execute(db)
    for (const r of rows) await sql`alter table ${q(t)} drop constraint ${sql.id(r.conname)}`.execute(db)
  }
}
const server = createAuthorizationServer({ issuer: 'https://auth.example.com', storage, ...createNodeCrypto({ keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }) })
const R = 'https://client.example.com/callback'
const { client, plaintextSecret } = await server.createClient({ name: 'AB', redirectUris: [R], allowedGrants: ['authorization_code', 'refresh_token'], allowedScopes: ['invoices.read'], confidential: true })
const cred = { client_id: client.id, client_secret: plaintextSecret }
const r = await server.validateAuthorizationRequest({ response_type: 'code', client_id: client.id, redirect_uri: R, scope: 'invoices.read', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })
const { code } = await server.approveAuthorizationRequest(r, 'u1')
captured = []
await server.issueTokenFromRequest({ body: { grant_type: 'authorization_code', ...cred, code, redirect_uri: R, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' } })
const main = captured.find((c) => c.sql.startsWith('with'))
const check = / and exists \(select 1 as "one" from ("[^"]+"\.)?"sp_oauth_clients" where "id" = \$3 and "revoked_at" is null for share\)/
if (!check.test(main.sql)) throw new Error('unexpected statement ' + main.sql.slice(0, 300))
const variants = {
  main: { sql: main.sql, map: (p) => p },
  unchecked: { sql: main.sql.replace(check, '').replace(/\$(\d+)/g, (_, n) => `$${Number(n) > 3 ? Number(n) - 1 : n}`), map: (p) => [...p.slice(0, 2), ...p.slice(3)] },
}
const ct = sql.table((schema ? schema + '.' : '') + 'sp_oauth_authorization_codes')
const fresh = () => randomBytes(16).toString('hex')
async function newCode() {
  const h = fresh()
  await sql`insert into ${ct} (code_hash, hash_key_id, grant_id, client_id, user_id, redirect_uri, redirect_uri_explicit, scopes, claims, code_challenge, code_challenge_method, created_at, expires_at) select ${h}, hash_key_id, ${fresh()}, client_id, user_id, redirect_uri, redirect_uri_explicit, scopes, claims, code_challenge, code_challenge_method, created_at, expires_at from ${ct} limit 1`.execute(db)
  return h
}
const names = Object.keys(variants)
const times = Object.fromEntries(names.map((n) => [n, []]))
const N = Number(process.env.N ?? 1500)
for (let i = 0; i < N; i++) {
  for (const name of i % 2 ? names : [...names].reverse()) {
    const p = [...main.params]
    p[1] = await newCode(); p[3] = fresh(); p[4] = fresh(); p[16] = fresh(); p[17] = fresh()
    const start = performance.now()
    const out = await db.executeQuery({ sql: variants[name].sql, parameters: variants[name].map(p), query: { kind: 'RawNode' }, queryId: { queryId: 'x' } })
    const ms = performance.now() - start
    if (Number(out.rows[0].won) !== 1) throw new Error(name + ' did not win')
    if (i >= 100) times[name].push(ms)
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] }
console.log(backend, (process.env.AB_DROP ? 'no user indexes' : 'all indexes') + (process.env.AB_NOFK ? ', no FKs' : ''), names.map((n) => `${n} ${med(times[n]).toFixed(3)}`).join('  '), 'ratio', (med(times.unchecked) / med(times.main)).toFixed(3))
if (schema) await sql`drop schema ${sql.id(schema)} cascade`.execute(db)
await db.destroy()
