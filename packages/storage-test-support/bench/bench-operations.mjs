// What the storage bench and its floor comparison share: the server and client under test, the
// requests, the scenarios, and how a batch of operations is run and timed.
import { performance } from 'node:perf_hooks'
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'

/** `BENCH_QUICK=1`: a smoke run, numbers are rough. */
export const QUICK = process.env.BENCH_QUICK === '1'
export const CALLERS = 16
export const OPS = QUICK
  ? { exchange: 100, refresh: 100, bearer: 300 }
  : { exchange: 1_000, refresh: 1_000, bearer: 4_000 }
export const ROUND_TRIP_SAMPLES = 20
export const HASH_KEYS = { keys: [{ id: 'k1', secret: 'bench-hash-key-0123456789abcdef0123456789' }] }
export const REDIRECT_URI = 'https://client.example.com/callback'
// RFC 7636 Appendix B: PKCE (S256) is required of every client by default.
export const CODE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
export const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/**
 * A statement counter: `wrap(connection)` counts each `query` of a driver connection (a `pg`
 * client from the pool's `connect` event, a mysql2 connection from `connection`), the floor's
 * way, so both sides pay the same for being counted; `log` is the same count as Kysely's `log`,
 * for a driver without a pool (PGlite). Statement texts are kept only while `recorded` is an
 * array (`roundTrips`): kept during the timed batches they would cost sp-oauth a regex and a
 * string per statement, which the floor does not pay.
 */
export function createStatementCounter() {
  const counter = {
    count: 0,
    /** The statements of the last operation counted alone, or null when not recording. */
    recorded: null,
    note(text) {
      counter.count += 1
      if (counter.recorded !== null) counter.recorded.push(text.replace(/\s+/g, ' ').slice(0, 120))
    },
    log: (event) => counter.note(event.query.sql),
    wrap: (connection) => {
      const query = connection.query
      connection.query = function countedQuery(statement, ...rest) {
        counter.note(typeof statement === 'string' ? statement : (statement.text ?? statement.sql))
        return query.call(this, statement, ...rest)
      }
    },
  }
  return counter
}

export function serverOn(storage, options = {}) {
  return createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage,
    crypto: nodeCrypto(HASH_KEYS),
    ...options,
  })
}

export async function createClient(server) {
  const { client, plaintextSecret } = await server.createClient({
    name: 'Bench client',
    redirectUris: [REDIRECT_URI],
    allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    allowedScopes: ['invoices.read', 'invoices.write'],
    confidential: true,
  })
  return { id: client.id, secret: plaintextSecret }
}

export const credentials = (client) => ({ client_id: client.id, client_secret: client.secret })

export async function authorize(server, client) {
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

export const exchangeRequest = (client, code) => ({
  body: {
    grant_type: 'authorization_code',
    ...credentials(client),
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: CODE_VERIFIER,
  },
})
export const refreshRequest = (client, refreshToken) => ({
  body: { grant_type: 'refresh_token', ...credentials(client), refresh_token: refreshToken },
})
export const clientCredentialsRequest = (client) => ({
  body: { grant_type: 'client_credentials', ...credentials(client), scope: 'invoices.read' },
})

/** `n` results of `make`, produced by `CALLERS` callers at once (untimed set-up). */
export async function produce(n, make) {
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
export async function concurrently(inputs, op, databaseCpu = () => 0) {
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
  const processMicros = (used.user + used.system) / inputs.length
  const databaseMicros = (databaseCpu() - database) / inputs.length
  latencies.sort()
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]
  return {
    opsPerSecond: inputs.length / (totalMs / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    cpuMicros: processMicros + databaseMicros,
    processMicros,
    databaseMicros,
  }
}

/**
 * The scenarios: each `prepare(server, client, n)` makes `n` inputs (untimed) and `op(server,
 * client, input)` is the timed operation. `options` configure the server.
 */
export const SCENARIOS = [
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
export async function roundTrips(scenario, server, client, counter) {
  const inputs = await scenario.prepare(server, client, ROUND_TRIP_SAMPLES)
  const before = counter.count
  let statements = []
  for (const input of inputs) {
    counter.recorded = []
    await scenario.op(server, client, input)
    statements = counter.recorded
  }
  counter.recorded = null
  return { mean: (counter.count - before) / ROUND_TRIP_SAMPLES, statements }
}

export async function measureOn(storage, scenario, counter, databaseCpu) {
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

export const fmt = (value, digits = 2) => value.toFixed(digits)
export const perSecond = (value) => Math.round(value).toLocaleString('en-US')
export const row = (cells) => console.log(`| ${cells.join(' | ')} |`)
export const sizeLabel = (n) => `10^${Math.round(Math.log10(n))}`
