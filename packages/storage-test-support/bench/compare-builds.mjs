// Compares two builds of sp-oauth on the storage hot paths, in one process, for a before/after
// figure that process-to-process noise does not swamp (on a busy 2-core machine, separate runs of
// one build differ by ±6%):
//
//   node packages/storage-test-support/bench/compare-builds.mjs <pg|pglite|mysql|memory> <before> <after>
//
// <before> and <after> are checkouts with `pnpm install` and `pnpm build` done (for example
// `git worktree add ../before <commit>`). Each build gets its own server, storage and schema (or
// database); batches of each operation (code exchange, refresh, client_credentials, opaque bearer
// check; 16 callers) alternate between the two, ROUNDS times (default 10) of BATCH operations
// (default 300), and the medians are printed with the after/before ratio of throughput and of
// CPU per operation (this process plus the database server's processes, from /proc). PostgreSQL
// and MariaDB: the local servers, as in the tests; `memory` measures the core alone.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { processCpuMicros } from './process-cpu.mjs'

const [backend, ...roots] = process.argv.slice(2)
if (!['pg', 'pglite', 'mysql', 'memory'].includes(backend) || roots.length !== 2) {
  console.error('usage: compare-builds.mjs <pg|pglite|mysql|memory> <before checkout> <after checkout>')
  process.exit(2)
}
const CALLERS = 16
const BATCH = Number(process.env.BATCH ?? 300)
const ROUNDS = Number(process.env.ROUNDS ?? 10)
const HASH_KEYS = { keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }
const REDIRECT_URI = 'https://client.example.com/callback'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** CPU time (µs) the database server's processes used so far; PGlite runs in this process. */
const databaseCpu = () => (backend === 'pglite' || backend === 'memory' ? 0 : processCpuMicros())

/** One build's server on a fresh storage, and its operations. */
async function open(root) {
  const pkg = backend === 'mysql' ? 'mysql' : 'postgres'
  const resolve = createRequire(`${root}/packages/${pkg}/package.json`).resolve
  const load = (spec) => import(pathToFileURL(resolve(spec)).href)
  const core = await import(pathToFileURL(`${root}/packages/core/dist/index.js`).href)
  const { nodeCrypto } = await import(pathToFileURL(`${root}/packages/core/dist/node.js`).href)
  const storagePackage = await import(pathToFileURL(`${root}/packages/${pkg}/dist/index.js`).href)
  const { Kysely, PostgresDialect, MysqlDialect, sql } = await load('kysely')
  let storage
  let close
  if (backend === 'memory') {
    // The core alone: the memory storage with its atomic issuance, as the SQL storages have theirs.
    const { createMemoryStorage } = await import(pathToFileURL(`${root}/packages/core/dist/memory.js`).href)
    storage = { ...createMemoryStorage({ atomicIssuance: true }), migrate: async () => {} }
    close = async () => {}
  } else if (backend === 'pg') {
    const { default: pg } = await load('pg')
    const schema = `sp_oauth_compare_${randomBytes(4).toString('hex')}`
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: CALLERS })
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) })
    storage = storagePackage.createPostgresStorage({ db }, { schema })
    close = async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db)
      await db.destroy()
    }
  } else if (backend === 'pglite') {
    const { PGlite } = await load('@electric-sql/pglite')
    const db = new Kysely({ dialect: new storagePackage.PGliteDialect(new PGlite()) })
    storage = storagePackage.createPostgresStorage({ db })
    close = () => db.destroy()
  } else {
    const mysql = await load('mysql2')
    const name = `sp_oauth_compare_${randomBytes(4).toString('hex')}`
    const admin = mysql.createPool({ uri: 'mysql://root@127.0.0.1:3306/test', connectionLimit: 1 }).promise()
    await admin.query(`create database ${name}`)
    const pool = mysql.createPool({
      uri: `mysql://root@127.0.0.1:3306/${name}`,
      connectionLimit: CALLERS,
      timezone: 'Z',
    })
    const db = new Kysely({ dialect: new MysqlDialect({ pool }) })
    storage = storagePackage.createMysqlStorage({ db })
    close = async () => {
      await db.destroy()
      await admin.query(`drop database ${name}`)
      await admin.end()
    }
  }
  await storage.migrate()
  const server = core.createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto(HASH_KEYS),
  })
  const { client, plaintextSecret } = await server.createClient({
    name: 'Compared client',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    allowedScopes: ['invoices.read'],
    confidential: true,
  })
  const credentials = { client_id: client.id, client_secret: plaintextSecret }
  const token = (body) => server.issueTokenFromRequest({ body: { ...credentials, ...body } })
  const authorize = async () => {
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    return (await server.approveAuthorizationRequest(request, 'user-1')).code
  }
  const exchange = (code) =>
    token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER })
  return {
    authorize,
    exchange,
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    clientCredentials: () => token({ grant_type: 'client_credentials', scope: 'invoices.read' }),
    bearer: (authorization) => server.authenticateBearer({ authorization }),
    close,
  }
}

/** Runs `op` over `inputs` with CALLERS callers. */
async function measure(inputs, op) {
  let next = 0
  const start = performance.now()
  const cpu = process.cpuUsage()
  const database = databaseCpu()
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < inputs.length) await op(inputs[next++])
    }),
  )
  const used = process.cpuUsage(cpu)
  return {
    opsPerSecond: inputs.length / ((performance.now() - start) / 1000),
    cpuMicros: (used.user + used.system + databaseCpu() - database) / inputs.length,
  }
}

/** `n` results of `make`, by CALLERS callers (untimed). */
async function produce(n, make) {
  const results = []
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (results.length < n) results.push(await make())
    }),
  )
  return results.slice(0, n)
}

const builds = []
for (const root of roots) builds.push(await open(root))
const results = new Map()
const record = (operation, build, result) => {
  if (!results.has(operation)) results.set(operation, [[], []])
  results.get(operation)[build].push(result)
}
for (let round = 0; round < ROUNDS; round++) {
  for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
    const build = builds[index]
    record('code exchange', index, await measure(await produce(BATCH, build.authorize), build.exchange))
    const refreshTokens = await produce(
      BATCH,
      async () => (await build.exchange(await build.authorize())).refresh_token,
    )
    record('refresh', index, await measure(refreshTokens, build.refresh))
    record('client_credentials', index, await measure(Array.from({ length: BATCH }), build.clientCredentials))
    const tokens = await produce(100, async () => `Bearer ${(await build.clientCredentials()).access_token}`)
    const checks = Array.from({ length: BATCH * 5 }, (_, at) => tokens[at % tokens.length])
    record('bearer check, opaque', index, await measure(checks, build.bearer))
  }
}
for (const build of builds) await build.close()

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const figure = (value) => Math.round(value).toLocaleString('en-US')
console.log(`## ${backend}: ${roots[0]} → ${roots[1]} (${ROUNDS} alternating rounds of ${BATCH})\n`)
console.log(
  '| operation | ops/s before | ops/s after | ratio | CPU µs/op before | after | ratio (before/after) |',
)
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const [operation, [before, after]] of results) {
  const ops = [before, after].map((runs) => median(runs.map((run) => run.opsPerSecond)))
  const cpu = [before, after].map((runs) => median(runs.map((run) => run.cpuMicros)))
  console.log(
    `| ${operation} | ${figure(ops[0])} | ${figure(ops[1])} | ${(ops[1] / ops[0]).toFixed(2)}× | ${figure(cpu[0])} | ${figure(cpu[1])} | ${(cpu[0] / cpu[1]).toFixed(2)}× |`,
  )
}
