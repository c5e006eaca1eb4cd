// The quickstart server: a complete OAuth 2.0 authorization server on Express 5, stored in embedded
// PostgreSQL (PGlite), with a demo login, a consent screen, a protected API and a demo partner app.
// Everything marked "demo" is what your application replaces with its own; the rest is the set-up
// you copy.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { ConfigurationError, createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createMysqlStorage } from '@sp-oauth/mysql'
import { createPostgresStorage } from '@sp-oauth/postgres'
import express from 'express'
import { createPool } from 'mysql2'
import pg from 'pg'
import { clearCookie, createCookieSigner, parseCookies } from './cookies.mjs'
import { loadOrCreateKey, lockDataDir, prepareDataDir, readKeyIfPresent } from './data-dir.mjs'
import { ensureDemoClients } from './demo-clients.mjs'
import { createDemoPartnerApp } from './demo-partner-app.mjs'
import { consentPage, errorPage, homePage, loginPage } from './pages.mjs'
import { databaseKind, hashKeyProblem, QuickstartError } from './settings.mjs'

export const DEMO_USER = Object.freeze({ username: 'demo', password: 'demo' })
const SESSION_COOKIE = 'quickstart_session'
const SESSION_SECONDS = 8 * 60 * 60
const HOST = '127.0.0.1'

/** Fake invoices for the protected API. */
const INVOICES = Object.freeze([
  { id: 'INV-2026-001', customer: 'Acme Corp', amount: '1250.00', currency: 'EUR', status: 'paid' },
  { id: 'INV-2026-002', customer: 'Globex', amount: '980.50', currency: 'EUR', status: 'open' },
  { id: 'INV-2026-003', customer: 'Initech', amount: '4310.00', currency: 'EUR', status: 'overdue' },
])

/**
 * @typedef {object} QuickstartOptions
 * @property {number} port where to listen on 127.0.0.1; 0 picks a free port
 * @property {string} dataDir the PGlite database and the generated keys
 * @property {string | null} [hashKey] at least 32 characters; by default one is generated and kept in `dataDir`
 * @property {string | null} [issuer] by default `http://127.0.0.1:<port>`
 * @property {string | null} [databaseUrl] `postgres://…` or `mysql://…`: that server instead of the
 *   embedded PGlite database (its tables are created or migrated at start)
 * @property {(line: string) => void} [log] one call per line printed; default `console.log`
 * @property {number} [requestTimeoutMs] how long a request may take to arrive whole, headers and
 *   body (default 30 s, not Node's 300 s: a client that trickles its body in is cut off)
 *
 * @typedef {object} Quickstart
 * @property {string} url where this process listens, `http://127.0.0.1:<port>`
 * @property {string} issuer
 * @property {number} port
 * @property {import('./demo-clients.mjs').DemoClients} clients
 * @property {() => Promise<void>} close stops accepting connections, lets the requests in flight
 *   finish (up to 5 s), then closes the database; idempotent
 * @property {import('node:http').Server} httpServer the HTTP server, for tests that watch it
 */

/**
 * Starts the quickstart: checks the data directory and keys, listens, opens and migrates the
 * database, creates the demo clients on the first start and prints how to try it.
 *
 * @param {QuickstartOptions} options
 * @returns {Promise<Quickstart>}
 * @throws {QuickstartError} for a setting or environment problem (the message says what to fix)
 * @throws {ConfigurationError} for an sp-oauth setting the core refuses (other than the issuer)
 */
export async function startQuickstart(options) {
  const log = options.log ?? console.log
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new QuickstartError(
      `PORT=${options.port} is not a port number: use a whole number from 1 to 65535.`,
    )
  }
  const hashKeyIssue = options.hashKey ? hashKeyProblem(options.hashKey) : null
  if (hashKeyIssue) throw new QuickstartError(`SP_OAUTH_HASH_KEY ${hashKeyIssue}`)

  // 1. The data directory and the keys that must survive a restart.
  prepareDataDir(options.dataDir)
  const unlock = lockDataDir(options.dataDir)
  try {
    return await start(options, log, unlock)
  } catch (error) {
    unlock()
    throw error
  }
}

/**
 * @param {QuickstartOptions} options
 * @param {(line: string) => void} log
 * @param {() => void} unlock
 * @returns {Promise<Quickstart>}
 */
async function start(options, log, unlock) {
  const generatedHashKey = options.hashKey
    ? null
    : loadOrCreateKey(join(options.dataDir, 'hash-key'), 'hash key')
  const cookieKey = loadOrCreateKey(join(options.dataDir, 'cookie-key'), 'cookie key')

  // 2. Listen first, so PORT=0 knows its port before the issuer is set. Requests that arrive
  // before the server is ready are answered 503.
  /** @type {import('node:http').RequestListener} */
  let handler = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' })
    res.end('Starting, try again in a moment.\n')
  }
  const httpServer = createServer(serverTimeouts(options.requestTimeoutMs ?? 30_000), (req, res) =>
    handler(req, res),
  )
  await listen(httpServer, options.port)
  const port = /** @type {import('node:net').AddressInfo} */ (httpServer.address()).port
  const url = `http://${HOST}:${port}`
  const issuer = options.issuer ?? url

  /** @type {PGlite | null} */
  let pglite = null
  /** @type {import('@sp-oauth/postgres').PostgresStorage | import('@sp-oauth/mysql').MysqlStorage | null} */
  let storage = null
  let closing = null
  const close = () => {
    closing ??= (async () => {
      await closeHttpServer(httpServer)
      if (storage) await storage.close()
      else if (pglite) await pglite.close()
      unlock()
    })()
    return closing
  }

  try {
    // 3. Storage: PostgreSQL embedded in this process (PGlite), or the server DATABASE_URL names;
    // created or migrated at start either way.
    const databaseDir = join(options.dataDir, 'pglite')
    const kind = options.databaseUrl ? databaseKind(options.databaseUrl) : null
    if (options.databaseUrl && kind === 'postgres') {
      storage = createPostgresStorage({ pool: new pg.Pool({ connectionString: options.databaseUrl }) })
    } else if (options.databaseUrl && kind === 'mysql') {
      storage = createMysqlStorage({ pool: createPool({ uri: options.databaseUrl, timezone: 'Z' }) })
    } else {
      pglite = new PGlite(databaseDir)
      storage = createPostgresStorage({ pglite })
    }

    // 4. The authorization server. Hashes of secrets, codes and tokens use this key: lose or change
    // it and every stored secret, code and token stops working. A key generated earlier stays
    // accepted for what it hashed when SP_OAUTH_HASH_KEY is set later.
    const hashKeys = options.hashKey
      ? [
          { id: 'env', secret: options.hashKey },
          ...readKeyIfPresent(join(options.dataDir, 'hash-key'), 'generated'),
        ]
      : [{ id: 'generated', secret: /** @type {{ key: string }} */ (generatedHashKey).key }]
    const server = createAuthorizationServerFor(issuer, storage, hashKeys)
    log(
      kind === null
        ? `Opening the database in ${databaseDir} (creating it takes a few seconds on the first start)…`
        : `Opening the ${kind === 'mysql' ? 'MySQL' : 'PostgreSQL'} database DATABASE_URL names…`,
    )
    await storage.migrate()

    // 5. The demo clients: made on the first start, found again on later ones.
    const publicBaseUrl = new URL(server.config.issuer).origin
    const clients = await ensureDemoClients(server, `${publicBaseUrl}/demo/callback`)

    // 6. The web application.
    const { app, paths } = buildApp({ server, url, publicBaseUrl, clients, cookieKey: cookieKey.key })
    handler = app
    printBanner(log, {
      issuer: server.config.issuer,
      url,
      paths,
      dataDir: options.dataDir,
      hashKeySource: options.hashKey ? 'SP_OAUTH_HASH_KEY' : generatedHashKey?.created ? 'new' : 'kept',
      clients,
    })
    return { url, issuer: server.config.issuer, port, clients, close, httpServer }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
}

/**
 * @param {string} issuer
 * @param {import('@sp-oauth/core').Storage} storage
 * @param {import('@sp-oauth/core').HashKey[]} keys
 */
function createAuthorizationServerFor(issuer, storage, keys) {
  try {
    return createAuthorizationServer({
      issuer,
      storage,
      // node:crypto hashing: the same hashes as the Web Crypto default, several times faster.
      crypto: nodeCrypto({ keys }),
      scopes: ['invoices.read', 'invoices.write'],
    })
  } catch (error) {
    // The issuer is the one core setting a person sets here: say which variable to fix.
    const issuerProblem =
      error instanceof ConfigurationError && error.problems.find((problem) => problem.startsWith('issuer:'))
    if (issuerProblem) {
      throw new QuickstartError(
        `SP_OAUTH_ISSUER=${JSON.stringify(issuer)} ${issuerProblem.slice('issuer:'.length).trim()}; ` +
          'unset it to use http://127.0.0.1:<port>.',
      )
    }
    throw error
  }
}

/**
 * @typedef {object} AppOptions
 * @property {import('@sp-oauth/core').AuthorizationServer} server
 * @property {string} url
 * @property {string} publicBaseUrl
 * @property {import('./demo-clients.mjs').DemoClients} clients
 * @property {string} cookieKey
 */

/**
 * @param {AppOptions} options
 * @returns {{ app: import('express').Express, paths: import('@sp-oauth/core/http').OAuthPaths }}
 */
function buildApp({ server, url, publicBaseUrl, clients, cookieKey }) {
  const app = express()
  app.disable('x-powered-by')
  const secureCookies = publicBaseUrl.startsWith('https:')
  const cookies = createCookieSigner(cookieKey)
  const sessionCookie = { path: '/', secure: secureCookies }

  /**
   * The demo login session: `{ user, sid, at }` from the signed session cookie (`at`: when the user
   * typed the password, in milliseconds), or `null`.
   */
  const sessionOf = (/** @type {import('express').Request} */ req) => {
    const data = cookies.read(parseCookies(req.headers.cookie), SESSION_COOKIE)
    return data &&
      typeof data.user === 'string' &&
      typeof data.sid === 'string' &&
      typeof data.at === 'number'
      ? { user: data.user, sid: data.sid, at: data.at }
      : null
  }
  const userOf = (/** @type {import('express').Request} */ req) => sessionOf(req)?.user ?? null

  // Pages that show a consent form must not be framed (clickjacking); nothing here loads scripts.
  // `same-origin`: page addresses (which carry codes and authorization requests) never go to
  // another site, and form posts here still name their origin (`no-referrer` would make it "null").
  app.use((_req, res, next) => {
    res.set({
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    })
    next()
  })

  // The OAuth server: /oauth/authorize, /token, /revoke, /introspect, /jwks and the metadata.
  const oauth = createOAuthExpress(server, {
    // `authTime`: when the password was typed, so prompt=login and max_age can be enforced.
    getUser: (req) => {
      const session = sessionOf(req)
      return session ? { user: session.user, session: session.sid, authTime: new Date(session.at) } : null
    },
    // `reauthenticate`: someone is signed in, but the client asked for a fresh sign-in.
    login: (_req, res, returnTo, { reauthenticate }) => {
      const query = new URLSearchParams({ returnTo, ...(reauthenticate ? { reauthenticate: '1' } : {}) })
      res.redirect(303, `/login?${query}`)
    },
    renderConsent: (req, res, prompt) => {
      res.set('cache-control', 'no-store')
      res.send(consentPage({ user: userOf(req) ?? '', prompt }))
    },
    renderErrorPage: (req, res, problem) => {
      res.status(problem.status).set('cache-control', 'no-store')
      res.send(errorPage({ user: userOf(req), ...problem }))
    },
  })
  app.use(oauth.routes)
  const { paths } = oauth.http

  // The protected API of the seed: a valid access token with invoices.read.
  app.get('/partner/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (req, res) => {
    const principal = /** @type {import('@sp-oauth/core').Principal} */ (req.oauth)
    res.set('cache-control', 'no-store').json({
      invoices: INVOICES,
      principal: {
        clientId: principal.clientId,
        userId: principal.userId,
        grantType: principal.grantType,
        scopes: principal.scopes,
      },
    })
  })

  // Demo login: one user, a signed session cookie. Your application uses its own.
  const form = express.urlencoded({ extended: false, limit: '4kb' })
  app.get('/login', (req, res) => {
    const returnTo = localPath(req.query.returnTo)
    const again = req.query.reauthenticate === '1'
    if (sessionOf(req) && !again) {
      res.redirect(303, returnTo)
      return
    }
    res.set('cache-control', 'no-store').send(loginPage({ returnTo, failed: false, again }))
  })
  app.post('/login', sameOrigin, form, (req, res) => {
    const returnTo = localPath(req.body?.returnTo)
    if (!checkPassword(req.body?.username, req.body?.password)) {
      res
        .status(401)
        .set('cache-control', 'no-store')
        .send(loginPage({ returnTo, failed: true }))
      return
    }
    const session = cookies.serialize(
      SESSION_COOKIE,
      { user: DEMO_USER.username, sid: randomUUID(), at: Date.now() },
      { ...sessionCookie, maxAgeSeconds: SESSION_SECONDS },
    )
    res.append('set-cookie', session).redirect(303, returnTo)
  })
  app.post('/logout', sameOrigin, (_req, res) => {
    res.append('set-cookie', clearCookie(SESSION_COOKIE, sessionCookie)).redirect(303, '/')
  })

  app.use(
    createDemoPartnerApp({
      issuer: server.config.issuer,
      publicBaseUrl,
      authorizeUrl: paths.url(paths.authorize),
      tokenUrl: `${url}${paths.token}`,
      invoicesUrl: `${url}/partner/invoices`,
      clientId: clients.partnerApp.id,
      redirectUri: `${publicBaseUrl}/demo/callback`,
      cookies,
      secureCookies,
      signedInUser: userOf,
    }),
  )

  app.get('/', (req, res) => {
    res.send(
      homePage({
        user: userOf(req),
        metadataUrl: paths.url(paths.metadata),
        erpConnectorId: clients.erpConnector.id,
      }),
    )
  })

  // Anything unexpected: a plain 500 page, never the error's message or stack.
  /**
   * @param {unknown} error
   * @param {import('express').Request} req
   * @param {import('express').Response} res
   * @param {import('express').NextFunction} _next
   */
  const onError = (error, req, res, _next) => {
    if (!isClientError(error)) console.error(error)
    const status = isClientError(error) ? error.status : 500
    if (!res.headersSent) {
      res.status(status).send(
        errorPage({
          user: userOf(req),
          status,
          error: status === 500 ? 'server_error' : 'invalid_request',
          description: null,
        }),
      )
    }
  }
  app.use(onError)
  return { app, paths }
}

/**
 * Refuses a cross-site form post (login CSRF): a browser names the page's origin, which must be
 * this server.
 *
 * @param {import('express').Request} req
 * @param {import('express').Response} res
 * @param {import('express').NextFunction} next
 */
function sameOrigin(req, res, next) {
  const origin = req.headers.origin
  if (origin === undefined || hostOf(origin) === req.headers.host) next()
  else res.status(403).send('Cross-site form posts are refused.')
}

/** @param {string} url */
function hostOf(url) {
  try {
    return new URL(url).host
  } catch {
    return null
  }
}

/**
 * A path on this site to go back to after login; anything else (another site, `//host`) is `/`.
 *
 * @param {unknown} value
 */
function localPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/'
  // Resolved the way a browser resolves a Location, so `//host`, `/\\host` or a path with tabs
  // or line breaks (which browsers drop) cannot lead to another site.
  const base = 'http://quickstart.invalid'
  const url = new URL(value, base)
  return url.origin === base ? `${url.pathname}${url.search}` : '/'
}

/** Compares both fields in constant time (of their hashes), whatever matches. */
function checkPassword(/** @type {unknown} */ username, /** @type {unknown} */ password) {
  const digest = (/** @type {unknown} */ value) =>
    createHash('sha256')
      .update(typeof value === 'string' ? value : '')
      .digest()
  const userOk = timingSafeEqual(digest(username), digest(DEMO_USER.username))
  const passwordOk = timingSafeEqual(digest(password), digest(DEMO_USER.password))
  return userOk && passwordOk
}

/** @param {unknown} error @returns {error is { status: number }} */
function isClientError(error) {
  const status = /** @type {{ status?: unknown }} */ (error)?.status
  return typeof status === 'number' && status >= 400 && status < 500
}

/**
 * @param {import('node:http').Server} server
 * @param {number} port
 * @returns {Promise<void>}
 */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code
      if (code === 'EADDRINUSE') {
        reject(
          new QuickstartError(
            `Port ${port} on ${HOST} is already in use: stop what runs there, or set PORT to a free port (e.g. PORT=${port + 1}).`,
          ),
        )
      } else if (code === 'EACCES') {
        reject(new QuickstartError(`Not allowed to listen on port ${port}: set PORT to a number above 1023.`))
      } else {
        reject(error)
      }
    })
    server.listen(port, HOST, () => resolve())
  })
}

/**
 * Timeouts for a server on the open network, tighter than Node's defaults: the request line and
 * headers within 10 s, the whole request within `requestTimeoutMs` (Node's default, 300 s, lets a
 * client that sends one byte a second hold a connection for five minutes), an idle keep-alive
 * connection 5 s; checked every second rather than every 30.
 *
 * @param {number} requestTimeoutMs
 * @returns {import('node:http').ServerOptions}
 */
function serverTimeouts(requestTimeoutMs) {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(10_000, requestTimeoutMs),
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
  }
}

/**
 * Stops accepting connections, ends idle keep-alive ones, and gives requests in flight 5 seconds.
 *
 * @param {import('node:http').Server} server
 * @returns {Promise<void>}
 */
function closeHttpServer(server) {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), 5000)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}

/**
 * What to try, printed at start. The confidential client's secret is printed only when it was just
 * created: only its hash is stored, so it can never be shown again.
 *
 * @param {(line: string) => void} log
 * @param {{ issuer: string, url: string, paths: import('@sp-oauth/core/http').OAuthPaths, dataDir: string,
 *   hashKeySource: 'SP_OAUTH_HASH_KEY' | 'new' | 'kept', clients: import('./demo-clients.mjs').DemoClients }} info
 */
function printBanner(log, { issuer, url, paths, dataDir, hashKeySource, clients }) {
  const row = (/** @type {string} */ label, /** @type {string} */ value) =>
    log(`  ${label.padEnd(16)}${value}`)
  const { erpConnector, erpConnectorSecret, partnerApp } = clients
  const publicBase = new URL(issuer).origin
  log('sp-oauth quickstart: an OAuth 2.0 authorization server on Express 5 and embedded PostgreSQL (PGlite)')
  log('')
  row('issuer', issuer)
  row('metadata', paths.url(paths.metadata))
  row('data', `${dataDir} (database and keys)`)
  row(
    'hash key',
    hashKeySource === 'SP_OAUTH_HASH_KEY'
      ? 'from SP_OAUTH_HASH_KEY'
      : `${hashKeySource === 'new' ? 'generated now and kept' : 'kept'} in ${join(dataDir, 'hash-key')}`,
  )
  log('')
  log(`ERP Connector: the confidential client${erpConnectorSecret ? ' (created now)' : ''}`)
  row('client id', erpConnector.id)
  if (erpConnectorSecret) {
    row('client secret', erpConnectorSecret)
    row('', '↳ shown this once: only its hash is stored. Save it now (export ERP_CLIENT_SECRET=…).')
  } else {
    row('client secret', 'shown at its creation only (delete the data directory to start over)')
  }
  row('grants', erpConnector.allowedGrants.join(' '))
  row('scopes', erpConnector.allowedScopes.join(' '))
  row('redirect URI', erpConnector.redirectUris.join(' '))
  log('')
  log(
    `Demo Partner App: the public client (PKCE, no secret) used by /demo${clients.partnerAppCreated ? ' (created now)' : ''}`,
  )
  row('client id', partnerApp.id)
  row('redirect URI', partnerApp.redirectUris.join(' '))
  if (clients.partnerAppUpdated) {
    row('', '↳ new address (PORT or SP_OAUTH_ISSUER changed): redirect URIs match exactly, so this')
    row('', "  address's callback was added to the partner app's. The ERP Connector does not depend on it.")
  }
  log('')
  log(`Sign in as ${DEMO_USER.username} / ${DEMO_USER.password}. Try it:`)
  row('in a browser', `${publicBase}/demo   sign in, consent, and the partner app calls the API`)
  log('  with curl       client_credentials, then the protected API:')
  log(
    `    curl -s -u "${erpConnector.id}:$ERP_CLIENT_SECRET" -d grant_type=client_credentials ` +
      `-d scope=invoices.read ${url}${paths.token}`,
  )
  log(`    curl -s -H "Authorization: Bearer <access_token>" ${url}/partner/invoices`)
  log('')
  log(`Listening on ${url} (Ctrl-C to stop).`)
}
