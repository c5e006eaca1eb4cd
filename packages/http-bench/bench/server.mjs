// The server side of the HTTP bench, in a child process of its own (the load generator has the
// other core): one framework serving the sp-oauth routes and, beside them, the baseline. On
// in-memory storage the baseline is bare routes of the same framework that do only the crypto of
// the same request; with `postgres` (argv[3]) sp-oauth runs on PostgreSQL and the baseline is a
// bare `node:http` server doing the raw-SQL floor's statements (packages/postgres/bench/raw-floor.mjs)
// on the same tables. The parent asks over IPC for one-time credentials (codes, refresh tokens)
// for either side before each measured segment.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { createAuthorizationServer } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createOAuthKoa } from '@sp-oauth/koa'
import express from 'express'
import Koa from 'koa'

const framework = process.argv[2]
const onPostgres = process.argv[3] === 'postgres'
const HASH_SECRET = 'bench-hash-key-0123456789abcdef0123456789'
const REDIRECT_URI = 'https://client.example.com/callback'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')

const database = onPostgres ? await openPostgres() : null
const server = createAuthorizationServer({
  issuer: 'http://127.0.0.1',
  // In memory, the storage's one-step issuance, as the SQL storages offer it: the core's fastest path.
  storage: database?.storage ?? createMemoryStorage({ atomicIssuance: true }),
  crypto: nodeCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
})
const { client, plaintextSecret } = await server.createClient({
  name: 'Bench client',
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read'],
  confidential: true,
})
const credentials = { client_id: client.id, client_secret: plaintextSecret }

// --- The bare routes: the request's crypto and nothing else, with node:crypto like the core's hasher.
const hmacKey = Buffer.from(HASH_SECRET)
const hmac = (value) => createHmac('sha256', hmacKey).update(value).digest()
const secretHash = hmac(plaintextSecret)
const bareAccessTokens = new Map()
const newToken = () => {
  const token = randomBytes(32).toString('base64url')
  bareAccessTokens.set(hmac(token).toString('base64url'), client.id)
  return token
}
const bareToken = (form) => {
  const grant = form.get('grant_type')
  const presented = hmac(form.get('client_secret') ?? '')
  if (!timingSafeEqual(presented, secretHash)) return null
  if (grant === 'authorization_code') {
    hmac(form.get('code') ?? '')
    createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url')
  } else if (grant === 'refresh_token') {
    hmac(form.get('refresh_token') ?? '')
  }
  const body = { access_token: newToken(), token_type: 'Bearer', expires_in: 3600, scope: 'invoices.read' }
  if (grant !== 'client_credentials') body.refresh_token = newToken()
  return body
}
const bareBearer = (authorization) => {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : ''
  return bareAccessTokens.get(hmac(token).toString('base64url')) ?? null
}
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json' }
const readBody = async (request) => {
  const chunks = []
  for await (const chunk of request) chunks.push(chunk)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

// --- One-time credentials the parent asks for before a segment.
async function code() {
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  })
  return (await server.approveAuthorizationRequest(request, 'bench-user')).code
}
async function refreshToken() {
  const tokens = await server.issueTokenFromRequest({
    body: {
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER,
      ...credentials,
    },
  })
  return tokens.refresh_token
}
async function prepare(kind, count, side) {
  if (side === 'bare' && database !== null) return prepareFloor(kind, count)
  const make = kind === 'codes' ? code : kind === 'refresh-tokens' ? refreshToken : null
  if (make === null) throw new Error(`unknown credential kind ${kind}`)
  const values = []
  for (let i = 0; i < count; i++) values.push(await make())
  return values
}

const ourAccessToken = (
  await server.issueTokenFromRequest({
    body: { grant_type: 'client_credentials', scope: 'invoices.read', ...credentials },
  })
).access_token
const bareAccessToken = database === null ? newToken() : await database.floor.clientCredentials(floorClient())

// One client from one address, thousands of times a second: the request limits would answer 429;
// the bare routes it is compared with limit nothing either.
const hooks = { getUser: () => null, login: () => {}, renderConsent: () => {}, rateLimit: false }
const invoices = { invoices: [{ id: 'inv-1', amount: 120 }] }

function expressApp() {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  const oauth = createOAuthExpress(server, {
    ...hooks,
    login: (_req, res) => res.end(),
    renderConsent: (_req, res) => res.end(),
  })
  app.use(oauth.routes)
  app.get('/partner/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (_req, res) => {
    res.json(invoices)
  })
  app.post('/bare/token', async (req, res) => {
    const body = bareToken(await readBody(req))
    res
      .status(body ? 200 : 401)
      .set(NO_STORE)
      .send(JSON.stringify(body ?? { error: 'invalid_client' }))
  })
  app.get('/bare/invoices', (req, res) => {
    if (!bareBearer(req.headers.authorization)) return res.status(401).end()
    res.json(invoices)
  })
  return app.listen(0, '127.0.0.1')
}

function koaApp() {
  const app = new Koa()
  const oauth = createOAuthKoa(server, {
    ...hooks,
    login: (ctx) => {
      ctx.body = ''
    },
    renderConsent: (ctx) => {
      ctx.body = ''
    },
  })
  const protectedRoute = [oauth.requireToken(), oauth.requireAllScopes('invoices.read')]
  app.use(oauth.routes)
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/partner/invoices') {
      await protectedRoute[0](ctx, () =>
        protectedRoute[1](ctx, async () => {
          ctx.body = invoices
        }),
      )
      return
    }
    if (ctx.method === 'POST' && ctx.path === '/bare/token') {
      const body = bareToken(await readBody(ctx.req))
      ctx.status = body ? 200 : 401
      ctx.set(NO_STORE)
      ctx.body = JSON.stringify(body ?? { error: 'invalid_client' })
      return
    }
    if (ctx.method === 'GET' && ctx.path === '/bare/invoices') {
      if (!bareBearer(ctx.get('authorization'))) ctx.status = 401
      else ctx.body = invoices
      return
    }
    await next()
  })
  return app.listen(0, '127.0.0.1')
}

const listener = framework === 'express' ? expressApp() : framework === 'koa' ? koaApp() : null
if (listener === null) throw new Error(`unknown framework ${framework}`)
const bareListener = database === null ? listener : floorServer()
await Promise.all(
  [listener, bareListener].map((each) =>
    each.listening ? null : new Promise((resolve) => each.once('listening', resolve)),
  ),
)

process.send({
  ready: true,
  port: listener.address().port,
  barePort: bareListener.address().port,
  baseline:
    database === null ? `bare ${framework} routes, crypto only` : 'bare node:http + pg, raw-SQL floor',
  credentials,
  verifier: VERIFIER,
  redirectUri: REDIRECT_URI,
  ourAccessToken,
  bareAccessToken,
})
process.on('message', async (message) => {
  if (message.prepare) {
    process.send({ prepared: await prepare(message.prepare, message.count, message.side) })
  }
  if (message.cpu) process.send({ cpu: process.cpuUsage() })
  if (message.exit) {
    if (bareListener !== listener) bareListener.close()
    listener.close(async () => {
      await database?.close()
      process.exit(0)
    })
  }
})

// --- On PostgreSQL: sp-oauth's storage on a schema of its own, and the floor on the same tables.
async function openPostgres() {
  const { default: pg } = await import('pg')
  const { Kysely, PostgresDialect, sql } = await import('kysely')
  const { createPostgresStorage } = await import('@sp-oauth/postgres')
  const { createPostgresFloor } = await import('../../postgres/bench/raw-floor.mjs')
  const url =
    process.env.SP_OAUTH_BENCH_PG_URL ||
    process.env.SP_OAUTH_TEST_PG_URL ||
    'postgres://postgres@127.0.0.1:5432/test'
  const schema = `sp_oauth_http_bench_${randomBytes(5).toString('hex')}`
  const prefix = 'sp_oauth_'
  const db = new Kysely({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 0 }),
    }),
  })
  const storage = createPostgresStorage({ db }, { schema, tablePrefix: prefix })
  await storage.migrate()
  const floorPool = new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 0 })
  const table = (name) => `"${schema}"."${prefix}${name}"`
  const floor = createPostgresFloor(
    floorPool,
    {
      clients: table('clients'),
      codes: table('authorization_codes'),
      access: table('access_tokens'),
      refresh: table('refresh_tokens'),
    },
    { id: 'k1', secret: HASH_SECRET },
  )
  return {
    storage,
    floor,
    close: async () => {
      await floorPool.end()
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
      await db.destroy()
    },
  }
}

/** The bench client, as the floor takes it. */
function floorClient() {
  return { id: client.id, secret: plaintextSecret }
}

async function prepareFloor(kind, count) {
  const { floor } = database
  const values = []
  for (let i = 0; i < count; i++) {
    const code = await floor.approve(floorClient(), REDIRECT_URI, CHALLENGE)
    values.push(
      kind === 'codes' ? code : (await floor.exchange(floorClient(), code, REDIRECT_URI, VERIFIER)).refresh,
    )
  }
  return values
}

/**
 * The baseline on PostgreSQL: bare `node:http` doing what the floor does for each request (client
 * check and the one consuming statement, or the one bearer lookup), answering as a token endpoint
 * and a protected route would. The client authenticates in the body, as the bench's requests do.
 */
function floorServer() {
  const { floor } = database
  const answer = (response, status, body) => {
    response.writeHead(status, NO_STORE)
    response.end(JSON.stringify(body))
  }
  const token = async (form) => {
    const client = { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' }
    const grant = form.get('grant_type')
    if (grant === 'client_credentials') {
      return { access_token: await floor.clientCredentials(client), token_type: 'Bearer', expires_in: 3600 }
    }
    const pair =
      grant === 'authorization_code'
        ? await floor.exchange(
            client,
            form.get('code') ?? '',
            form.get('redirect_uri') ?? '',
            form.get('code_verifier') ?? '',
          )
        : await floor.refresh(client, form.get('refresh_token') ?? '')
    return { access_token: pair.access, token_type: 'Bearer', expires_in: 3600, refresh_token: pair.refresh }
  }
  return createServer(async (request, response) => {
    try {
      if (request.method === 'POST' && request.url === '/bare/token') {
        return answer(response, 200, await token(await readBody(request)))
      }
      if (request.method === 'GET' && request.url === '/bare/invoices') {
        const authorization = request.headers.authorization ?? ''
        await floor.bearer(authorization.startsWith('Bearer ') ? authorization.slice(7) : '')
        return answer(response, 200, invoices)
      }
      answer(response, 404, { error: 'not_found' })
    } catch (error) {
      answer(response, 400, { error: error.message })
    }
  }).listen(0, '127.0.0.1')
}
