// The example as a partner meets it: over a real socket, on a real MariaDB or MySQL, with a real OAuth
// client (oauth4webapi) doing the authorization code flow with PKCE, then calling the API.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { createPool } from 'mysql2'
import { createConnection } from 'mysql2/promise'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, localPath } from '../src/app.mjs'

const SERVER_URL = process.env.SP_OAUTH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'
const REDIRECT_URI = 'http://127.0.0.1:9/callback'
const database = `example_${randomBytes(6).toString('hex')}`
const insecure = { [oauth.allowInsecureRequests]: true }

/** The server's address with another database. */
function databaseUrl(/** @type {string} */ name) {
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** @type {import('node:http').Server} */
let http
/** @type {string} */
let issuer
/** @type {Awaited<ReturnType<typeof createApp>>} */
let started

beforeAll(async () => {
  const admin = await createConnection(SERVER_URL)
  await admin.query(`create database \`${database}\``)
  await admin.end()
  /** @type {import('node:http').RequestListener} */
  let handler = (_req, res) => {
    res.end()
  }
  http = createServer((req, res) => handler(req, res))
  await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)))
  issuer = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (http.address()).port}`
  started = await createApp({
    issuer,
    pool: createPool({ uri: databaseUrl(database), timezone: 'Z', connectionLimit: 4 }),
    hashKey: randomBytes(32).toString('hex'),
    users: { alice: 'correct horse' },
  })
  handler = started.app.callback()
})

afterAll(async () => {
  http?.closeAllConnections()
  await new Promise((resolve) => http?.close(() => resolve(undefined)))
  await started?.close()
  const admin = await createConnection(SERVER_URL)
  await admin.query(`drop database if exists \`${database}\``)
  await admin.end()
})

/** The value of `name` in the cookie a response set. */
function cookieFrom(/** @type {Response} */ response, /** @type {string} */ name) {
  const set = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
  return set?.split(';')[0]
}

describe('the koa-mysql example', () => {
  it('a partner app gets tokens through login and consent (authorization code + PKCE) and calls the API with them', async () => {
    const { client: registered, plaintextSecret } = await started.server.createClient({
      name: 'ERP Connector',
      redirectUris: [REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: ['invoices.read'],
      confidential: true,
    })
    const as = await oauth.processDiscoveryResponse(
      new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oauth2', ...insecure }),
    )
    const client = { client_id: registered.id }
    const clientAuth = oauth.ClientSecretBasic(/** @type {string} */ (plaintextSecret))
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const authorize = new URL(/** @type {string} */ (as.authorization_endpoint))
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: registered.id,
      redirect_uri: REDIRECT_URI,
      scope: 'invoices.read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString()

    // Nobody is signed in: the login page, which sends the user back to the request afterwards.
    const toLogin = await fetch(authorize, { redirect: 'manual' })
    expect(toLogin.status).toBe(303)
    const loginUrl = new URL(/** @type {string} */ (toLogin.headers.get('location')), issuer)
    expect(loginUrl.pathname).toBe('/login')
    const returnTo = /** @type {string} */ (loginUrl.searchParams.get('returnTo'))

    const wrong = await fetch(`${issuer}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'wrong', returnTo }),
      redirect: 'manual',
    })
    expect(wrong.status).toBe(401)
    const signedIn = await fetch(`${issuer}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'correct horse', returnTo }),
      redirect: 'manual',
    })
    expect(signedIn.status).toBe(303)
    expect(signedIn.headers.get('location')).toBe(returnTo)
    const session = /** @type {string} */ (cookieFrom(signedIn, 'sid'))

    // Signed in: the consent page, whose form carries a single-use ticket.
    const consent = await fetch(new URL(returnTo, issuer), {
      headers: { cookie: session },
      redirect: 'manual',
    })
    expect(consent.status).toBe(200)
    const page = await consent.text()
    expect(page).toContain('ERP Connector asks to invoices.read')
    // As a browser reads the form's attributes: character references decoded.
    const attribute = (/** @type {RegExp} */ pattern) =>
      (pattern.exec(page)?.[1] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    const ticket = attribute(/name="ticket" value="([^"]+)"/)
    const approvePath = attribute(/<form method="post" action="([^"]+approve[^"]*)"/)

    const approved = await fetch(new URL(approvePath, issuer), {
      method: 'POST',
      headers: { cookie: session },
      body: new URLSearchParams({ ticket }),
      redirect: 'manual',
    })
    expect([302, 303]).toContain(approved.status)
    const callback = new URL(/** @type {string} */ (approved.headers.get('location')))
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)

    // Back at the partner: the code, exchanged with the verifier, for tokens.
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        params,
        REDIRECT_URI,
        verifier,
        insecure,
      ),
    )
    expect(tokens.refresh_token).toEqual(expect.any(String))

    const api = await fetch(`${issuer}/api/invoices`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(api.status).toBe(200)
    expect(await api.json()).toMatchObject({ user: 'alice', client: registered.id })

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(
        as,
        client,
        clientAuth,
        /** @type {string} */ (tokens.refresh_token),
        insecure,
      ),
    )
    expect(refreshed.access_token).not.toBe(tokens.access_token)
  })

  it('the API refuses a request without a token (401) and the login page a foreign returnTo', async () => {
    const api = await fetch(`${issuer}/api/invoices`)
    expect(api.status).toBe(401)
    expect(api.headers.get('www-authenticate')).toMatch(/^Bearer/)
    for (const foreign of ['https://attacker.example/', '//attacker.example/x', '/\\attacker.example']) {
      expect(localPath(foreign)).toBe('/')
    }
    expect(localPath('/oauth/authorize?client_id=a')).toBe('/oauth/authorize?client_id=a')
  })
})
