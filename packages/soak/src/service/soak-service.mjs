// The service under soak: the set-up of examples/express-postgres (a pg Pool, createPostgresStorage
// and migrate(), createAuthorizationServer with nodeCrypto, createOAuthExpress with a login page, a
// consent page and a protected API), with the outbox on and the two jobs docs/deploying.md
// schedules beside it, the outbox relay and pruning. The example's createApp is not reused: its
// package exports nothing and builds its storage without the outbox.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createPostgresStorage } from '@sp-oauth/postgres'
import express from 'express'
import pg from 'pg'
import { REDIRECT_URI } from '../redirect-uri.mjs'
import { consentPage, localPath, loginPage } from './pages.mjs'
import { startPruneJob } from './prune-job.mjs'
import { startRelayJob } from './relay-job.mjs'
import { createSessions } from './sessions.mjs'

/**
 * @typedef {object} SoakServiceOptions
 * @property {string} databaseUrl
 * @property {string} schema a schema of the soak's own, created by the migrations
 * @property {number} userCount one user per virtual user, so remembered consents do not cross
 */

/**
 * @typedef {object} SoakClients what the virtual users need to act as the three clients
 * @property {{ id: string, secret: string }} partner confidential, authorization code + refresh
 * @property {{ id: string, secret: string }} machine confidential, client_credentials
 * @property {{ id: string, secret: string }} resourceServer introspects the others' tokens
 */

/** @param {SoakServiceOptions} options */
export async function startSoakService(options) {
  // The pool the example gets from `new pg.Pool({ connectionString })`: node-postgres' default size.
  const pool = new pg.Pool({ connectionString: options.databaseUrl })
  const storage = createPostgresStorage({ pool }, { schema: options.schema, outbox: true })
  await storage.migrate()

  // Listen first: the issuer names the port.
  /** @type {import('node:http').RequestListener} */
  let handler = (_req, res) => {
    res.statusCode = 503
    res.end()
  }
  const http = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
    (req, res) => handler(req, res),
  )
  await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)))
  const port = /** @type {import('node:net').AddressInfo} */ (http.address()).port
  const issuer = `http://127.0.0.1:${port}`

  const server = createAuthorizationServer({
    issuer,
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: randomBytes(32).toString('hex') }] }),
  })
  const clients = await registerClients(server)
  /** @type {Record<string, string>} */
  const users = {}
  for (let index = 0; index < options.userCount; index++) {
    users[`user-${index}`] = randomBytes(12).toString('base64url')
  }
  const sessions = createSessions()
  handler = buildApp(server, sessions, users)

  const relay = startRelayJob(storage)
  const prune = startPruneJob(storage)

  return {
    port,
    clients,
    users,
    /**
     * Stops the jobs (the relay drains the outbox first), then the server, then counts what the
     * relay left undelivered, and closes the pool. The schema stays: the caller drops it.
     */
    async stop() {
      http.close()
      http.closeAllConnections()
      const relayed = await relay.stop()
      const pruned = await prune.stop()
      sessions.close()
      const undelivered = await pool.query(
        `select count(*)::int as count from "${options.schema}".sp_oauth_event_outbox where delivered_at is null`,
      )
      await storage.close()
      return { relay: { ...relayed, undeliveredAtEnd: undelivered.rows[0].count }, prune: pruned }
    },
  }
}

/** @typedef {Awaited<ReturnType<Awaited<ReturnType<typeof startSoakService>>['stop']>>} BackgroundReport */

/**
 * @param {import('@sp-oauth/core').AuthorizationServer} server
 * @returns {Promise<SoakClients>}
 */
async function registerClients(server) {
  /** @param {import('@sp-oauth/core').ClientInput} input */
  const register = async (input) => {
    const { client, plaintextSecret } = await server.createClient(input)
    return { id: client.id, secret: /** @type {string} */ (plaintextSecret) }
  }
  return {
    partner: await register({
      name: 'Soak Partner',
      redirectUris: [REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    }),
    machine: await register({
      name: 'Soak Machine',
      redirectUris: [],
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    }),
    resourceServer: await register({
      name: 'Soak API',
      redirectUris: [],
      allowedGrants: ['client_credentials'],
      allowedScopes: [],
      confidential: true,
      resourceServer: true,
    }),
  }
}

/**
 * The example's app: OAuth routes first, then the login page, sign-out and the protected API.
 * @param {import('@sp-oauth/core').AuthorizationServer} server
 * @param {ReturnType<typeof createSessions>} sessions
 * @param {Record<string, string>} users
 */
function buildApp(server, sessions, users) {
  const SOAK_LIMITS = Object.fromEntries(
    ['authorize', 'token', 'revoke', 'introspect'].map((route) => [
      route,
      { limit: 1_000_000, windowSeconds: 60 },
    ]),
  )
  const oauth = createOAuthExpress(server, {
    getUser: (req) => {
      const session = sessions.of(req)
      return session && { user: session.userId, session: session.id, authTime: session.signedInAt }
    },
    login: (_req, res, returnTo, { reauthenticate }) => {
      const query = new URLSearchParams({ returnTo, ...(reauthenticate ? { again: '1' } : {}) })
      res.redirect(303, `/login?${query}`)
    },
    renderConsent: (_req, res, prompt) => {
      res.set('cache-control', 'no-store').type('html').send(consentPage(prompt))
    },
    // The request limits stay on, so the soak runs their code and memory too, but every virtual
    // user comes from 127.0.0.1 and a few clients: limits this high never refuse the soak's load.
    rateLimit: { perAddress: SOAK_LIMITS, perClient: SOAK_LIMITS },
  })

  const app = express()
  app.disable('x-powered-by')
  app.use(oauth.routes)
  app.get('/login', (req, res) => {
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(loginPage(localPath(req.query.returnTo), { failed: false }))
  })
  app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    const returnTo = localPath(req.body?.returnTo)
    const userId = checkPassword(users, req.body?.username, req.body?.password)
    if (userId === null) {
      res
        .status(401)
        .type('html')
        .send(loginPage(returnTo, { failed: true }))
      return
    }
    sessions.start(res, userId)
    res.redirect(303, returnTo)
  })
  app.post('/logout', (req, res) => {
    sessions.end(req, res)
    res.redirect(303, '/login')
  })
  app.get('/api/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (req, res) => {
    const principal = /** @type {import('@sp-oauth/core').Principal} */ (req.oauth)
    res.json({ user: principal.userId, client: principal.clientId, invoices: [{ id: 'INV-1', total: 120 }] })
  })
  return app
}

/**
 * The example's constant-time password check.
 * @param {Record<string, string>} users @param {unknown} username @param {unknown} password
 */
function checkPassword(users, username, password) {
  if (typeof username !== 'string' || typeof password !== 'string') return null
  const digest = (/** @type {string} */ value) => createHash('sha256').update(value).digest()
  const known = Object.hasOwn(users, username) ? users[username] : undefined
  const matches = timingSafeEqual(digest(password), digest(known ?? `${password}\u0000unknown`))
  return known !== undefined && matches ? username : null
}
