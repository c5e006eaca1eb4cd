// The authorization server as a service of your own: Koa 3 with @koa/router on MySQL or MariaDB,
// your login page, your consent page, and an API that partner apps call with the tokens. Copy it
// and replace the parts marked "yours": the user check, the sessions, the pages and the API.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import Router from '@koa/router'
import { createAuthorizationServer } from '@sp-oauth/core'
import { nodeCrypto } from '@sp-oauth/core/node'
import { createOAuthKoa } from '@sp-oauth/koa'
import { createMysqlStorage } from '@sp-oauth/mysql'
import Koa from 'koa'

/**
 * @typedef {object} AppOptions
 * @property {string} issuer the public address, e.g. https://auth.example.com (http only on loopback)
 * @property {import('mysql2').Pool} pool a mysql2 callback pool made with `timezone: 'Z'`; `close()` ends it
 * @property {string} hashKey at least 32 bytes of secret, from the environment, never the database
 * @property {Record<string, string>} users yours: user name → password (a real app asks its user store)
 */

/**
 * @param {AppOptions} options
 */
export async function createApp(options) {
  const storage = createMysqlStorage({ pool: options.pool })
  await storage.migrate()
  const server = createAuthorizationServer({
    issuer: options.issuer,
    storage,
    crypto: nodeCrypto({ keys: [{ id: 'k1', secret: options.hashKey }] }),
  })
  const sessions = createSessions()

  const oauth = createOAuthKoa(server, {
    getUser: (ctx) => {
      const session = sessions.of(ctx)
      return session && { user: session.userId, session: session.id, authTime: session.signedInAt }
    },
    login: (ctx, returnTo, { reauthenticate }) => {
      const query = new URLSearchParams({ returnTo, ...(reauthenticate ? { again: '1' } : {}) })
      ctx.status = 303
      ctx.redirect(`/login?${query}`)
    },
    renderConsent: (ctx, prompt) => {
      ctx.set('cache-control', 'no-store')
      ctx.type = 'html'
      ctx.body = consentPage(prompt)
    },
  })

  const router = new Router()
  // Yours: the login page. It sends the user back to `returnTo`, but only to a local path.
  router.get('/login', (ctx) => {
    ctx.set('cache-control', 'no-store')
    ctx.type = 'html'
    ctx.body = loginPage(localPath(ctx.query.returnTo), false)
  })
  router.post('/login', async (ctx) => {
    const form = new URLSearchParams(await readText(ctx.req, 10_000))
    const returnTo = localPath(form.get('returnTo'))
    const userId = checkPassword(options.users, form.get('username'), form.get('password'))
    if (userId === null) {
      ctx.status = 401
      ctx.type = 'html'
      ctx.body = loginPage(returnTo, true)
      return
    }
    sessions.start(ctx, userId)
    ctx.status = 303
    ctx.redirect(returnTo)
  })
  // Yours: the API partner apps call on behalf of a user.
  router.get('/api/invoices', oauth.requireToken(), oauth.requireAllScopes('invoices.read'), (ctx) => {
    const principal = /** @type {import('@sp-oauth/core').Principal} */ (ctx.state.oauth)
    ctx.body = { user: principal.userId, client: principal.clientId, invoices: [{ id: 'INV-1', total: 120 }] }
  })

  const app = new Koa()
  app.use(oauth.routes) // on the app itself, first: it answers the OAuth routes and passes the rest on
  app.use(router.routes())
  app.use(router.allowedMethods())

  return {
    app,
    server,
    storage,
    /** Ends the pool. Stop the HTTP server first. */
    close: () => storage.close(),
  }
}

/**
 * The request body as text, refused past `limit` bytes (413).
 * @param {import('node:http').IncomingMessage} req @param {number} limit
 * @returns {Promise<string>}
 */
async function readText(req, limit) {
  let text = ''
  req.setEncoding('utf8') // chunks as whole characters, never a UTF-8 sequence cut in two
  for await (const chunk of req) {
    text += chunk
    if (text.length > limit) {
      const error = Object.assign(new Error('The form is too large.'), { status: 413, expose: true })
      throw error
    }
  }
  return text
}

/**
 * Yours: sessions in memory, keyed by a random id in an HttpOnly cookie. A real app keeps them
 * where all its instances see them (its database, Redis) and marks the cookie `secure` on HTTPS.
 */
function createSessions() {
  /** @type {Map<string, { id: string, userId: string, signedInAt: Date }>} */
  const byId = new Map()
  return {
    /** @param {import('koa').Context} ctx */
    of(ctx) {
      const id = ctx.cookies.get('sid')
      return id === undefined ? null : (byId.get(id) ?? null)
    },
    /** @param {import('koa').Context} ctx @param {string} userId */
    start(ctx, userId) {
      const id = randomBytes(32).toString('base64url')
      byId.set(id, { id, userId, signedInAt: new Date() })
      ctx.cookies.set('sid', id, { httpOnly: true, sameSite: 'lax', path: '/' })
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

/** @param {import('@sp-oauth/koa').ConsentPrompt} prompt */
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
