// The storage bench shared by @sp-oauth/postgres and @sp-oauth/mysql (the same file in each
// package's bench/; keep them identical). Each backend runs the core's hot paths with 16
// concurrent callers beside the same operation on in-memory storage in the same run, counts the
// statements each operation sends (BEGIN/COMMIT included, through Kysely's `log`), and times
// bearer checks as the access-token table grows.
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { createNodeCrypto } from '@sp-oauth/core/node'

/** `BENCH_QUICK=1`: a smoke run, numbers are rough. */
export const QUICK = process.env.BENCH_QUICK === '1'
export const CALLERS = 16
const OPS = QUICK
  ? { exchange: 100, refresh: 100, bearer: 300 }
  : { exchange: 1_000, refresh: 1_000, bearer: 4_000 }
const ROUND_TRIP_SAMPLES = 20
export const HASH_KEYS = { keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }
const REDIRECT_URI = 'https://client.example.com/callback'
// RFC 7636 Appendix B: PKCE (S256) is required of every client by default.
const CODE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** A statement counter to hand to Kysely as `log`. */
export function createStatementCounter() {
  const counter = {
    count: 0,
    /** The statements of the last operation counted alone. */
    recorded: [],
    log: (event) => {
      counter.count += 1
      counter.recorded.push(event.query.sql.replace(/\s+/g, ' ').slice(0, 120))
    },
  }
  return counter
}

function serverOn(storage, options = {}) {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    ...createNodeCrypto(HASH_KEYS),
    ...options,
  })
}

async function createClient(server) {
  const { client, plaintextSecret } = await server.createClient({
    name: 'Bench client',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  return { id: client.id, secret: plaintextSecret }
}

const credentials = (client) => ({ client_id: client.id, client_secret: client.secret })

async function authorize(server, client) {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'bench',
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
  })
  return (await server.approveAuthorizationRequest(request, 'bench-user')).code
}

const exchangeRequest = (client, code) => ({
  body: {
    grant_type: 'authorization_code',
    ...credentials(client),
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: CODE_VERIFIER,
  },
})
const refreshRequest = (client, refreshToken) => ({
  body: { grant_type: 'refresh_token', ...credentials(client), refresh_token: refreshToken },
})
const clientCredentialsRequest = (client) => ({
  body: { grant_type: 'client_credentials', ...credentials(client), scope: 'invoices.read' },
})

/** `n` results of `make`, produced by `CALLERS` callers at once (untimed set-up). */
async function produce(n, make) {
  const results = new Array(n)
  let next = 0
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < n) {
        const index = next++
        results[index] = await make(index)
      }
    }),
  )
  return results
}

/**
 * Runs `op` over `inputs` with `CALLERS` callers; ops/s, latency percentiles in ms, and CPU µs per
 * operation (this process, plus the database server's when `databaseCpu` reads it).
 */
async function concurrently(inputs, op, databaseCpu = () => 0) {
  const latencies = new Float64Array(inputs.length)
  let next = 0
  const cpu = process.cpuUsage()
  const database = databaseCpu()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < inputs.length) {
        const index = next++
        const begin = performance.now()
        await op(inputs[index])
        latencies[index] = performance.now() - begin
      }
    }),
  )
  const totalMs = performance.now() - start
  const used = process.cpuUsage(cpu)
  const cpuMicros = (used.user + used.system + databaseCpu() - database) / inputs.length
  latencies.sort()
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]
  return { opsPerSecond: inputs.length / (totalMs / 1000), p50Ms: at(0.5), p99Ms: at(0.99), cpuMicros }
}

/**
 * The scenarios: each `prepare(server, client, n)` makes `n` inputs (untimed) and `op(server,
 * client, input)` is the timed operation. `options` configure the server.
 */
const SCENARIOS = [
  {
    name: 'code exchange',
    ops: OPS.exchange,
    options: {},
    prepare: (server, client, n) => produce(n, () => authorize(server, client)),
    op: (server, client, code) => server.issueTokenFromRequest(exchangeRequest(client, code)),
  },
  {
    name: 'refresh',
    ops: OPS.refresh,
    options: {},
    prepare: (server, client, n) =>
      produce(n, async () => {
        const issued = await server.issueTokenFromRequest(
          exchangeRequest(client, await authorize(server, client)),
        )
        return issued.refresh_token
      }),
    op: (server, client, token) => server.issueTokenFromRequest(refreshRequest(client, token)),
  },
  {
    name: 'client_credentials',
    ops: OPS.exchange,
    options: {},
    prepare: async (_server, _client, n) => Array.from({ length: n }),
    op: (server, client) => server.issueTokenFromRequest(clientCredentialsRequest(client)),
  },
  bearerScenario('bearer check, opaque', { accessTokenFormat: 'opaque' }),
  bearerScenario('bearer check, JWT, checkRevocation on', {
    accessTokenFormat: 'jwt',
    jwt: { checkRevocation: true },
  }),
  bearerScenario('bearer check, JWT, checkRevocation off', {
    accessTokenFormat: 'jwt',
    jwt: { checkRevocation: false },
  }),
]

function bearerScenario(name, options) {
  return {
    name,
    ops: OPS.bearer,
    options,
    prepare: async (server, client, n) => {
      const tokens = await produce(100, async () => {
        const issued = await server.issueTokenFromRequest(clientCredentialsRequest(client))
        return `Bearer ${issued.access_token}`
      })
      return Array.from({ length: n }, (_, index) => tokens[index % tokens.length])
    },
    op: (server, _client, authorization) => server.authenticateBearer({ authorization }),
  }
}

/** Average statements per operation, each run alone after the measurement. */
async function roundTrips(scenario, server, client, counter) {
  const inputs = await scenario.prepare(server, client, ROUND_TRIP_SAMPLES)
  const before = counter.count
  let statements = []
  for (const input of inputs) {
    counter.recorded = []
    await scenario.op(server, client, input)
    statements = [...counter.recorded]
  }
  return { mean: (counter.count - before) / ROUND_TRIP_SAMPLES, statements }
}

async function measureOn(storage, scenario, counter, databaseCpu) {
  const server = serverOn(storage, scenario.options)
  const client = await createClient(server)
  // Warm-up: JIT, the signing key, the pool's connections.
  const warm = await scenario.prepare(server, client, Math.max(CALLERS * 4, scenario.ops / 10))
  await concurrently(warm, (input) => scenario.op(server, client, input))
  const inputs = await scenario.prepare(server, client, scenario.ops)
  const result = await concurrently(inputs, (input) => scenario.op(server, client, input), databaseCpu)
  const trips = counter ? await roundTrips(scenario, server, client, counter) : null
  return { ...result, roundTrips: trips?.mean ?? null, statements: trips?.statements ?? [] }
}

const fmt = (value, digits = 2) => value.toFixed(digits)
const perSecond = (value) => Math.round(value).toLocaleString('en-US')
const row = (cells) => console.log(`| ${cells.join(' | ')} |`)
const sizeLabel = (n) => `10^${Math.round(Math.log10(n))}`

/**
 * Runs every scenario on every backend, then the growth check. A backend is `{ name, open }`;
 * `open()` resolves `{ storage, counter, seedAccessTokens(total, clientId), seedSizes, note?,
 * explainLookup?(), floor?, databaseCpu?(), close() }` on a fresh, migrated schema: `floor` is the
 * backend's raw-SQL floor (see {@link compareWithFloor}), `databaseCpu()` the database server's CPU
 * µs so far (see `process-cpu.mjs`), for the CPU per operation. `seedAccessTokens` should leave the
 * table as a running server's would be (statistics fresh, the seeding's writes flushed), so the
 * timed checks do not pay for the seeding; `explainLookup()` describes what one lookup by hash
 * costs the database at the current size (plan, pages), for the growth table.
 */
export async function runStorageBench(title, backends) {
  console.log(`# ${title} bench${QUICK ? ' (BENCH_QUICK=1: smoke run, numbers are rough)' : ''}\n`)
  console.log(
    `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; ${CALLERS} concurrent callers; ` +
      'node:crypto hashing (createNodeCrypto); each operation beside the same one on in-memory storage, ' +
      'measured right after it in the same run. Round trips: statements per operation run alone ' +
      `(mean of ${ROUND_TRIP_SAMPLES}), BEGIN/COMMIT included.\n`,
  )
  const growth = []
  for (const backend of backends) {
    const opened = await backend.open()
    try {
      console.log(`## ${backend.name}\n`)
      if (opened.note) console.log(`${opened.note}\n`)
      row([
        'operation',
        'ops/s',
        'p50 ms',
        'p99 ms',
        'round trips',
        'in-memory ops/s',
        'in-memory p50 ms',
        'in-memory p99 ms',
      ])
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])
      const listings = []
      const measured = new Map()
      for (const scenario of SCENARIOS) {
        const db = await measureOn(opened.storage, scenario, opened.counter, opened.databaseCpu)
        measured.set(scenario.name, db)
        listings.push({ name: scenario.name, statements: db.statements })
        const memory = await measureOn(createMemoryStorage(), scenario, null)
        row([
          scenario.name,
          perSecond(db.opsPerSecond),
          fmt(db.p50Ms),
          fmt(db.p99Ms),
          fmt(db.roundTrips, 1),
          perSecond(memory.opsPerSecond),
          fmt(memory.p50Ms, 3),
          fmt(memory.p99Ms, 3),
        ])
      }
      console.log('\nStatements of one operation, in order:\n')
      for (const { name, statements } of listings) {
        console.log(
          `- ${name}: ${statements.length === 0 ? '(none)' : statements.map((text) => `\`${text}\``).join(' → ')}`,
        )
      }
      console.log('')
      if (opened.floor) await compareWithFloor(opened, measured)
      growth.push({ backend: backend.name, rows: await measureGrowth(opened) })
    } finally {
      await opened.close()
    }
  }
  console.log('## Bearer checks (opaque) as the access-token table grows\n')
  console.log(
    `At each size, after seeding: ${GROWTH_WARM_UP} untimed checks, then ${GROWTH_RUNS} timed run(s) of ` +
      `${OPS.bearer} checks of 100 tokens issued after seeding; the median run is reported, since one run ` +
      'lasts under a second and moves by tens of percent with whatever else the machine does. The last ' +
      'column, where the backend gives it, is what one lookup by hash costs the database.\n',
  )
  for (const { backend, rows } of growth) {
    console.log(`### ${backend}\n`)
    row([
      'stored access tokens',
      'seed s',
      'ops/s (median)',
      'ops/s (each run)',
      'p50 ms',
      'p99 ms',
      'round trips',
      'one lookup in the database',
    ])
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'])
    for (const result of rows) {
      row([
        `${sizeLabel(result.size)} (${result.stored.toLocaleString('en-US')})`,
        fmt(result.seedSeconds, 1),
        perSecond(result.opsPerSecond),
        result.runs.map(perSecond).join(' / '),
        fmt(result.p50Ms),
        fmt(result.p99Ms),
        fmt(result.roundTrips, 1),
        result.lookup ?? '—',
      ])
    }
    console.log('')
  }
}

/**
 * The same operations through the backend's raw-SQL floor (`opened.floor`: hand-written statements
 * with the same guarantees, see the package's `bench/raw-floor.mjs`), on the same tables and client,
 * right after sp-oauth's: ops/s, statements per operation, and sp-oauth's share of the floor.
 */
async function compareWithFloor(opened, measured) {
  const server = serverOn(opened.storage)
  const client = await createClient(server)
  const { floor } = opened
  const operations = [
    {
      name: 'client_credentials',
      ops: OPS.exchange,
      prepare: async (n) => Array.from({ length: n }),
      op: () => floor.clientCredentials(client),
    },
    {
      name: 'bearer check, opaque',
      ops: OPS.bearer,
      prepare: async (n) => {
        const tokens = await produce(100, () => floor.clientCredentials(client))
        return Array.from({ length: n }, (_, index) => tokens[index % tokens.length])
      },
      op: (token) => floor.bearer(token),
    },
    {
      name: 'code exchange',
      ops: OPS.exchange,
      prepare: (n) => produce(n, () => floor.approve(client, REDIRECT_URI, CODE_CHALLENGE)),
      op: (code) => floor.exchange(client, code, REDIRECT_URI, CODE_VERIFIER),
    },
    {
      name: 'refresh',
      ops: OPS.refresh,
      prepare: (n) =>
        produce(n, async () => {
          const code = await floor.approve(client, REDIRECT_URI, CODE_CHALLENGE)
          return (await floor.exchange(client, code, REDIRECT_URI, CODE_VERIFIER)).refresh
        }),
      op: (token) => floor.refresh(client, token),
    },
  ]
  console.log('Against the raw-SQL floor (same tables, same guarantees, hand-written statements):\n')
  row([
    'operation',
    'floor ops/s',
    'sp-oauth ops/s',
    'sp-oauth × floor',
    'floor CPU µs/op',
    'sp-oauth CPU µs/op',
    'floor statements',
    'sp-oauth statements',
  ])
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])
  for (const operation of operations) {
    const warm = await operation.prepare(Math.max(CALLERS * 4, operation.ops / 10))
    await concurrently(warm, operation.op)
    const inputs = await operation.prepare(operation.ops)
    const result = await concurrently(inputs, operation.op, opened.databaseCpu)
    const samples = await operation.prepare(ROUND_TRIP_SAMPLES)
    const before = floor.counter.count
    for (const input of samples) await operation.op(input)
    const statements = (floor.counter.count - before) / ROUND_TRIP_SAMPLES
    const ours = measured.get(operation.name)
    row([
      operation.name,
      perSecond(result.opsPerSecond),
      perSecond(ours.opsPerSecond),
      `${fmt(ours.opsPerSecond / result.opsPerSecond)}×`,
      perSecond(result.cpuMicros),
      perSecond(ours.cpuMicros),
      fmt(statements, 1),
      fmt(ours.roundTrips, 1),
    ])
  }
  console.log('')
}

const GROWTH_WARM_UP = 500
const GROWTH_RUNS = QUICK ? 1 : 3

async function measureGrowth(opened) {
  const scenario = SCENARIOS[2]
  const server = serverOn(opened.storage, scenario.options)
  const client = await createClient(server)
  const rows = []
  for (const size of opened.seedSizes) {
    const start = performance.now()
    const stored = await opened.seedAccessTokens(size, client.id)
    const seedSeconds = (performance.now() - start) / 1000
    const inputs = await scenario.prepare(server, client, scenario.ops)
    const op = (input) => scenario.op(server, client, input)
    await concurrently(inputs.slice(0, GROWTH_WARM_UP), op)
    const runs = []
    for (let run = 0; run < GROWTH_RUNS; run++) runs.push(await concurrently(inputs, op))
    const median = [...runs].sort((a, b) => a.opsPerSecond - b.opsPerSecond)[Math.floor(runs.length / 2)]
    const trips = await roundTrips(scenario, server, client, opened.counter)
    const lookup = opened.explainLookup ? await opened.explainLookup() : null
    rows.push({
      size,
      stored,
      seedSeconds,
      ...median,
      runs: runs.map((run) => run.opsPerSecond),
      roundTrips: trips.mean,
      lookup,
    })
  }
  return rows
}
