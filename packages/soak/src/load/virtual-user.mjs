// One virtual user: a person signing in and answering the consent screen in a browser, the
// partner app exchanging, using, refreshing and revoking the tokens it got, the partner's API
// checking them by introspection, and a machine client on client_credentials. Journeys are
// numbered, and the number picks the branches (deny, a replayed ticket or code, refresh token
// reuse, revoking either kind of token, signing out), so every branch runs every few journeys and
// each step knows the one answer the standards allow it.
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { REDIRECT_URI } from '../redirect-uri.mjs'
import { authorizationResponse, readConsentForm, sessionCookie } from './browser-forms.mjs'
import { JourneyAborted } from './http-client.mjs'

/** Every route a journey uses, in journey order: the rows of the report. */
export const ROUTES = [
  'GET /oauth/authorize (signed out)',
  'GET /login',
  'POST /login',
  'GET /oauth/authorize (signed in)',
  'POST /oauth/authorize/approve',
  'POST /oauth/authorize/deny',
  'POST /oauth/token (authorization_code)',
  'GET /api/invoices (bearer)',
  'POST /oauth/introspect',
  'POST /oauth/token (refresh_token)',
  'POST /oauth/revoke',
  'POST /oauth/token (client_credentials)',
  'POST /logout',
]

/**
 * @typedef {object} VirtualUserContext
 * @property {(step: import('./http-client.mjs').Step) => Promise<import('./http-client.mjs').Exchange>} send
 * @property {import('../service/soak-service.mjs').SoakClients} clients
 * @property {string} username
 * @property {string} password
 * @property {number} firstJourney where this user's numbering starts, so users do not move in step
 * @property {() => boolean} keepGoing false once the run's time is up: the journey in progress ends normally
 * @property {number} thinkMs pause between journeys
 * @property {{ completed: number, aborted: number }} journeys
 */

/**
 * @typedef {object} Browser what the person's browser and the partner remember between journeys
 * @property {string | null} session the `sid=…` cookie, or null when signed out
 * @property {boolean} consentRemembered the user approved with "remember" before
 */

/** @param {VirtualUserContext} context */
export async function runVirtualUser(context) {
  /** @type {Browser} */
  const browser = { session: null, consentRemembered: false }
  for (let journey = context.firstJourney; context.keepGoing(); journey++) {
    try {
      await runJourney(context, browser, journey)
      context.journeys.completed++
    } catch (error) {
      if (!(error instanceof JourneyAborted)) throw error
      context.journeys.aborted++
      // Start the next journey from a state the soak is sure of.
      browser.session = null
      browser.consentRemembered = false
    }
    if (context.thinkMs > 0) await sleep(context.thinkMs)
  }
}

/** @param {VirtualUserContext} context @param {Browser} browser @param {number} journey */
async function runJourney(context, browser, journey) {
  const { send, clients } = context
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  // Without a remembered consent the screen shows anyway; with one, only prompt=consent shows it.
  const askConsent = journey % 3 === 0 || !browser.consentRemembered
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clients.partner.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(askConsent ? { prompt: 'consent' } : {}),
  })
  let authorizePath = `/oauth/authorize?${query}`
  if (browser.session === null) authorizePath = await signIn(context, browser, authorizePath, journey)
  const session = /** @type {string} */ (browser.session)

  const answer = await send({
    route: 'GET /oauth/authorize (signed in)',
    path: authorizePath,
    headers: { cookie: session },
    expect: [askConsent ? 200 : 302],
    check: (exchange) =>
      askConsent ? (readConsentForm(exchange.body) ? null : 'no consent form') : codeProblem(exchange, state),
  })
  /** @type {string | null} */
  let code = null
  if (!askConsent) {
    code = authorizationResponse(answer.headers, REDIRECT_URI)?.get('code') ?? null
  } else if (journey % 10 === 5) {
    await deny(context, session, readConsentForm(answer.body), state)
  } else {
    code = await approve(context, browser, readConsentForm(answer.body), state, journey)
  }
  if (code !== null) await useTokens(context, code, verifier, journey)
  await machineJourney(context)
  if (journey % 4 === 3) {
    await send({
      route: 'POST /logout',
      method: 'POST',
      path: '/logout',
      headers: { cookie: session },
      expect: [303],
    })
    browser.session = null
  }
}

/**
 * Signed out: the authorization request sends the user to log in, and back to it after.
 * @param {VirtualUserContext} context @param {Browser} browser @param {string} authorizePath
 * @param {number} journey
 * @returns {Promise<string>} where the login sends the browser back to: the authorization request
 */
async function signIn(context, browser, authorizePath, journey) {
  const { send } = context
  const toLogin = await send({
    route: 'GET /oauth/authorize (signed out)',
    path: authorizePath,
    expect: [303],
    check: ({ headers }) => (headers.get('location')?.startsWith('/login?') ? null : 'not sent to /login'),
  })
  const loginPath = /** @type {string} */ (toLogin.headers.get('location'))
  const returnTo = new URL(loginPath, 'http://soak.invalid').searchParams.get('returnTo') ?? ''
  await send({
    route: 'GET /login',
    path: loginPath,
    expect: [200],
    check: ({ body }) => (body.includes('name="returnTo"') ? null : 'no login form'),
  })
  if (journey % 8 === 0) {
    await send({
      route: 'POST /login',
      method: 'POST',
      path: '/login',
      form: { username: context.username, password: 'wrong password', returnTo },
      expect: [401],
    })
  }
  const signedIn = await send({
    route: 'POST /login',
    method: 'POST',
    path: '/login',
    form: { username: context.username, password: context.password, returnTo },
    expect: [303],
    check: ({ headers }) =>
      headers.get('location') !== returnTo
        ? 'not sent back to the authorization request'
        : sessionCookie(headers) === null
          ? 'no session cookie'
          : null,
  })
  browser.session = sessionCookie(signedIn.headers)
  return returnTo
}

/**
 * @param {VirtualUserContext} context @param {Browser} browser
 * @param {ReturnType<typeof readConsentForm>} form @param {string} state @param {number} journey
 * @returns {Promise<string>} the authorization code
 */
async function approve(context, browser, form, state, journey) {
  const { ticket, approvePath } = /** @type {NonNullable<typeof form>} */ (form)
  const headers = { cookie: /** @type {string} */ (browser.session) }
  const approved = await context.send({
    route: 'POST /oauth/authorize/approve',
    method: 'POST',
    path: approvePath,
    form: { ticket, remember: 'on' },
    headers,
    expect: [302],
    check: (exchange) => codeProblem(exchange, state),
  })
  browser.consentRemembered = true
  if (journey % 10 === 9) {
    // A consent ticket is answered once: posting it again is refused and issues nothing.
    await context.send({
      route: 'POST /oauth/authorize/approve',
      method: 'POST',
      path: approvePath,
      form: { ticket, remember: 'on' },
      headers,
      expect: [400],
    })
  }
  return /** @type {string} */ (authorizationResponse(approved.headers, REDIRECT_URI)?.get('code'))
}

/**
 * The user says no: the client hears access_denied (RFC 6749 §4.1.2.1), and the ticket is spent.
 * @param {VirtualUserContext} context @param {string} session
 * @param {ReturnType<typeof readConsentForm>} form @param {string} state
 */
async function deny(context, session, form, state) {
  const { ticket, denyPath } = /** @type {NonNullable<typeof form>} */ (form)
  const step = {
    route: 'POST /oauth/authorize/deny',
    method: /** @type {const} */ ('POST'),
    path: denyPath,
    form: { ticket },
    headers: { cookie: session },
  }
  await context.send({
    ...step,
    expect: [302],
    check: ({ headers }) => {
      const response = authorizationResponse(headers, REDIRECT_URI)
      return response?.get('error') === 'access_denied' && response.get('state') === state
        ? null
        : 'no access_denied with the state'
    },
  })
  await context.send({ ...step, expect: [400] })
}

/**
 * The partner app: the code exchange, then one of four endings for the tokens.
 * @param {VirtualUserContext} context @param {string} code @param {string} verifier @param {number} journey
 */
async function useTokens(context, code, verifier, journey) {
  const { clients } = context
  const partner = basicAuthorization(clients.partner)
  const exchange = {
    route: 'POST /oauth/token (authorization_code)',
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
  }
  const first = await token(context, { ...exchange, authorization: partner, refresh: true })
  if (journey % 10 === 7) {
    // A replayed code is refused and revokes what it issued (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
    await token(context, { ...exchange, authorization: partner, status: 400 })
    await bearer(context, first.access_token, 401)
    return
  }
  await bearer(context, first.access_token, 200)
  await bearer(context, first.access_token, 200)
  await introspect(context, first.access_token, { active: true, clientId: clients.partner.id })
  const second = await refresh(context, first.refresh_token, 200)
  await bearer(context, second.access_token, 200)

  if (journey % 10 === 3) {
    // A rotated refresh token presented after its successor was used is a reuse: the whole family
    // is revoked (RFC 9700 §4.14.2), the newest tokens included.
    const third = await refresh(context, second.refresh_token, 200)
    await refresh(context, first.refresh_token, 400)
    await refresh(context, third.refresh_token, 400)
    await bearer(context, third.access_token, 401)
    await introspect(context, third.access_token, { active: false })
  } else if (journey % 2 === 0) {
    // Revoking a refresh token revokes its family, access tokens included (RFC 7009 §2.1).
    await revoke(context, clients.partner, second.refresh_token, 'refresh_token')
    await bearer(context, second.access_token, 401)
    await introspect(context, second.access_token, { active: false })
    await refresh(context, second.refresh_token, 400)
  } else {
    // Revoking an access token leaves its refresh token working.
    await revoke(context, clients.partner, second.access_token, 'access_token')
    await bearer(context, second.access_token, 401)
    const third = await refresh(context, second.refresh_token, 200)
    await bearer(context, third.access_token, 200)
    // Ends the family, so pruning can take its rows.
    await revoke(context, clients.partner, third.refresh_token, 'refresh_token')
  }
}

/**
 * A machine client: its own token, a call, introspection by the API, revocation.
 * @param {VirtualUserContext} context
 */
async function machineJourney(context) {
  const { machine } = context.clients
  // client_secret_post here, client_secret_basic for the partner: both ways of RFC 6749 §2.3.1.
  const credentials = { client_id: machine.id, client_secret: machine.secret }
  const issued = await token(context, {
    route: 'POST /oauth/token (client_credentials)',
    form: { grant_type: 'client_credentials', scope: 'invoices.read', ...credentials },
    refresh: false,
  })
  await bearer(context, issued.access_token, 200)
  await introspect(context, issued.access_token, { active: true, clientId: machine.id })
  await context.send({
    route: 'POST /oauth/revoke',
    method: 'POST',
    path: '/oauth/revoke',
    form: { token: issued.access_token, token_type_hint: 'access_token', ...credentials },
    expect: [200],
  })
  await bearer(context, issued.access_token, 401)
}

/**
 * @typedef {{ access_token: string, refresh_token: string }} TokenPair
 */

/**
 * A token request; with status 200 its response must carry an access token (and a refresh token
 * when `refresh`), with 400 the error must be invalid_grant.
 * @param {VirtualUserContext} context
 * @param {{ route: string, form: Record<string, string>, authorization?: string, refresh?: boolean, status?: 200 | 400 }} request
 * @returns {Promise<TokenPair>}
 */
async function token(context, { route, form, authorization, refresh = false, status = 200 }) {
  const answer = await context.send({
    route,
    method: 'POST',
    path: '/oauth/token',
    form,
    headers: authorization ? { authorization } : {},
    expect: [status],
    check: ({ body }) => {
      const json = parseJson(body)
      if (status === 400) return json?.error === 'invalid_grant' ? null : 'not invalid_grant'
      if (typeof json?.access_token !== 'string' || json.token_type !== 'Bearer') return 'no bearer token'
      if (refresh !== (typeof json.refresh_token === 'string')) {
        return refresh ? 'no refresh token' : 'an unexpected refresh token'
      }
      return null
    },
  })
  if (status !== 200) return { access_token: '', refresh_token: '' }
  const json = /** @type {Record<string, unknown>} */ (parseJson(answer.body))
  return { access_token: String(json.access_token), refresh_token: String(json.refresh_token ?? '') }
}

/**
 * @param {VirtualUserContext} context @param {string} refreshToken @param {200 | 400} status
 * @returns {Promise<TokenPair>}
 */
function refresh(context, refreshToken, status) {
  return token(context, {
    route: 'POST /oauth/token (refresh_token)',
    form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    authorization: basicAuthorization(context.clients.partner),
    refresh: true,
    status,
  })
}

/**
 * The partner's API with the token: 200 with the principal, or 401 invalid_token (RFC 6750 §3.1).
 * @param {VirtualUserContext} context @param {string} accessToken @param {200 | 401} status
 */
async function bearer(context, accessToken, status) {
  await context.send({
    route: 'GET /api/invoices (bearer)',
    path: '/api/invoices',
    headers: { authorization: `Bearer ${accessToken}` },
    expect: [status],
    check: ({ body, headers }) =>
      status === 200
        ? Array.isArray(parseJson(body)?.invoices)
          ? null
          : 'no invoices'
        : headers.get('www-authenticate')?.includes('error="invalid_token"')
          ? null
          : 'no invalid_token challenge',
  })
}

/**
 * The API (a resource server client) asks whether a token is active (RFC 7662).
 * @param {VirtualUserContext} context @param {string} accessToken
 * @param {{ active: boolean, clientId?: string }} expected
 */
async function introspect(context, accessToken, expected) {
  await context.send({
    route: 'POST /oauth/introspect',
    method: 'POST',
    path: '/oauth/introspect',
    form: { token: accessToken, token_type_hint: 'access_token' },
    headers: { authorization: basicAuthorization(context.clients.resourceServer) },
    expect: [200],
    check: ({ body }) => {
      const json = parseJson(body)
      if (json?.active !== expected.active) return `active is ${json?.active}, expected ${expected.active}`
      if (expected.clientId !== undefined && json.client_id !== expected.clientId) return 'another client_id'
      return null
    },
  })
}

/**
 * @param {VirtualUserContext} context @param {{ id: string, secret: string }} client
 * @param {string} tokenValue @param {'access_token' | 'refresh_token'} hint
 */
async function revoke(context, client, tokenValue, hint) {
  await context.send({
    route: 'POST /oauth/revoke',
    method: 'POST',
    path: '/oauth/revoke',
    form: { token: tokenValue, token_type_hint: hint },
    headers: { authorization: basicAuthorization(client) },
    expect: [200],
  })
}

/**
 * A redirect to the partner with a code and the request's state, or what is wrong with it.
 * @param {import('./http-client.mjs').Exchange} exchange @param {string} state
 */
function codeProblem({ headers }, state) {
  const response = authorizationResponse(headers, REDIRECT_URI)
  if (response === null) return 'not redirected to the partner'
  if (!response.get('code')) return `no code (error=${response.get('error')})`
  return response.get('state') === state ? null : 'another state'
}

/** HTTP Basic as RFC 6749 §2.3.1 has it: id and secret form-encoded first. */
function basicAuthorization(/** @type {{ id: string, secret: string }} */ client) {
  const encode = (/** @type {string} */ value) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(client.id)}:${encode(client.secret)}`).toString('base64')}`
}

/** @param {string} text @returns {Record<string, unknown> | null} */
function parseJson(text) {
  try {
    const value = JSON.parse(text)
    return value !== null && typeof value === 'object' ? value : null
  } catch {
    return null
  }
}
