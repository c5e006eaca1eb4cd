// The authorization server as a service of your own: Express 5 on PostgreSQL, your login page,
// your consent page, and an API that partner apps call with the tokens. Copy it and replace the
// parts marked "yours": the user check, the sessions, the pages and the API.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthExpress } from '@sp-oauth/express'
import { createPostgresStorage } from '@sp-oauth/postgres'
import express from 'express'

/**
 * @typedef {object} AppOptions
 * @property {string} issuer the public address, e.g. https://auth.example.com (http only on loopback)
 * @property {import('pg').Pool} pool the database; `close()` ends it
 * @property {string} hashKey at least 32 bytes of secret, from the environment, never the database
 * @property {string | undefined} [schema] the PostgreSQL schema of sp-oauth's tables (default: the search path)
 * @property {Record<string, string>} users yours: user name → password (a real app asks its user store)
 */

/**
 * @param {AppOptions} options
 */
export async function createApp(options) {
  const storage = createPostgresStorage(
    { pool: options.pool },
    options.schema ? { schema: options.schema } : {},
  )
  await storage.migrate()
  const server = createAuthorizationServer({
    issuer: options.issuer,
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: options.hashKey }] }),
  })
  const sessions = createSessions()

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
  })

  const app = express()
  app.disable('x-powered-by')
  app.use(oauth.routes) // first: it reads the OAuth routes' bodies itself

  // Yours: the login page. It sends the user back to `returnTo`, but only to a local path.
  app.get('/login', (req, res) => {
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(loginPage(localPath(req.query.returnTo), false))
  })
  app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    const returnTo = localPath(req.body?.returnTo)
    const userId = checkPassword(options.users, req.body?.username, req.body?.password)
    if (userId === null) {
      res.status(401).type('html').send(loginPage(returnTo, true))
      return
    }
    sessions.start(res, userId)
    res.redirect(303, returnTo)
  })

  // Yours: the API partner apps call on behalf of a user.
  app.get('/api/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (req, res) => {
    const principal = /** @type {import('@sp-oauth/core').Principal} */ (req.oauth)
    res.json({ user: principal.userId, client: principal.clientId, invoices: [{ id: 'INV-1', total: 120 }] })
  })

  return {
    app,
    server,
    storage,
    /** Ends the pool. Stop the HTTP server first. */
    close: () => storage.close(),
  }
}

/**
 * Yours: sessions in memory, keyed by a random id in an HttpOnly cookie. A real app keeps them
 * where all its instances see them (its database, Redis) and marks the cookie `Secure` on HTTPS.
 */
function createSessions() {
  /** @type {Map<string, { id: string, userId: string, signedInAt: Date }>} */
  const byId = new Map()
  return {
    /** @param {import('express').Request} req */
    of(req) {
      const cookie = (req.headers.cookie ?? '').split(';').map((part) => part.trim().split('='))
      const id = cookie.find(([name]) => name === 'sid')?.[1]
      return id === undefined ? null : (byId.get(id) ?? null)
    },
    /** @param {import('express').Response} res @param {string} userId */
    start(res, userId) {
      const id = randomBytes(32).toString('base64url')
      byId.set(id, { id, userId, signedInAt: new Date() })
      res.cookie('sid', id, { httpOnly: true, sameSite: 'lax', path: '/' })
    },
  }
}

/**
 * The user whose password this is, or null. Compares hashes in constant time, so neither the
 * name nor the password leaks through timing.
 * @param {Record<string, string>} users @param {unknown} username @param {unknown} password
 */
function checkPassword(users, username, password) {
  if (typeof username !== 'string' || typeof password !== 'string') return null
  const digest = (/** @type {string} */ value) => createHash('sha256').update(value).digest()
  const known = Object.hasOwn(users, username) ? users[username] : undefined
  const matches = timingSafeEqual(digest(password), digest(known ?? `${password}\u0000unknown`))
  return known !== undefined && matches ? username : null
}

/**
 * `value` when it is a path on this site, else `/`: resolved as a browser resolves a Location, so
 * `//host`, `/\host` or a URL of another site cannot turn the login page into an open redirect.
 * @param {unknown} value
 */
export function localPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/'
  const base = 'http://login.invalid'
  const url = new URL(value, base)
  return url.origin === base ? `${url.pathname}${url.search}` : '/'
}

/** @param {string} text */
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** @param {string} returnTo @param {boolean} failed */
function loginPage(returnTo, failed) {
  return `<!doctype html><title>Sign in</title>
<h1>Sign in</h1>${failed ? '<p role="alert">Wrong user name or password.</p>' : ''}
<form method="post" action="/login">
  <input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
  <label>User <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button>Sign in</button>
</form>`
}

/** @param {import('@sp-oauth/express').ConsentPrompt} prompt */
function consentPage({ request, ticket, approvePath, denyPath, redirectUri }) {
  const hidden = `<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">`
  return `<!doctype html><title>Allow access?</title>
<h1>${escapeHtml(request.client.name)} asks to ${escapeHtml(request.scopes.join(', '))}</h1>
<p>You will be sent back to ${escapeHtml(redirectUri)}.</p>
<form method="post" action="${escapeHtml(approvePath)}">${hidden}
  <label><input type="checkbox" name="remember" value="on"> Remember my choice</label>
  <button>Allow</button>
</form>
<form method="post" action="${escapeHtml(denyPath)}">${hidden}<button>Deny</button></form>`
}
