import * as oauth from 'oauth4webapi'
import {
  type ConsentBody,
  INVOICES_READ,
  TEST_SESSION_COOKIE,
  TEST_USER_COOKIE,
} from '../harness/adapter-harness.js'
import { ERP_REDIRECT_URI, type TestClient, type TestEnvironment } from './test-environment.js'

/** oauth4webapi refuses plain HTTP unless told: the test servers listen on loopback only. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const

/** A browser: the signed-in user and its session cookie. */
export interface Browser {
  readonly user: string
  readonly session: string
}

export function newBrowser(env: TestEnvironment): Browser {
  return { user: env.newUser(), session: `session-${env.newUser()}` }
}

/** The cookies a browser sends; `null` sends none (signed out). */
export function cookiesOf(browser: Browser | null): Record<string, string> {
  if (browser === null) return {}
  return { cookie: `${TEST_USER_COOKIE}=${browser.user}; ${TEST_SESSION_COOKIE}=${browser.session}` }
}

/** RFC 8414 discovery with a real client, checking the issuer. */
export async function discover(env: TestEnvironment): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(env.issuer)
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure })
  return oauth.processDiscoveryResponse(issuer, response)
}

export function clientOf(client: TestClient): oauth.Client {
  return { client_id: client.id }
}

export function secretPost(client: TestClient): oauth.ClientAuth {
  return oauth.ClientSecretPost(client.secret!)
}

export function secretBasic(client: TestClient): oauth.ClientAuth {
  return oauth.ClientSecretBasic(client.secret!)
}

/** A GET that does not follow redirects. */
export function get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, redirect: 'manual' })
}

/** A form POST that does not follow redirects. */
export function postForm(
  url: string | URL,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })
}

/** What an authorization request is made of. */
export interface AuthorizationRequestInput {
  readonly client?: TestClient
  readonly scope?: string
  readonly redirectUri?: string | null
  readonly prompt?: string
  readonly extra?: Record<string, string>
}

/** An authorization URL with S256 PKCE and a random state, as oauth4webapi's docs build it. */
export interface PreparedAuthorization {
  readonly url: URL
  readonly state: string
  readonly codeVerifier: string
  readonly client: TestClient
  readonly redirectUri: string
}

export async function prepareAuthorization(
  env: TestEnvironment,
  as: oauth.AuthorizationServer,
  input: AuthorizationRequestInput = {},
): Promise<PreparedAuthorization> {
  const client = input.client ?? env.clients.erp
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint!)
  const redirectUri = input.redirectUri === undefined ? ERP_REDIRECT_URI : input.redirectUri
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', client.id)
  if (redirectUri !== null) url.searchParams.set('redirect_uri', redirectUri)
  url.searchParams.set('scope', input.scope ?? INVOICES_READ)
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
  url.searchParams.set('code_challenge_method', 'S256')
  if (input.prompt !== undefined) url.searchParams.set('prompt', input.prompt)
  for (const [name, value] of Object.entries(input.extra ?? {})) url.searchParams.set(name, value)
  return { url, state, codeVerifier, client, redirectUri: redirectUri ?? ERP_REDIRECT_URI }
}

/** Opens the consent screen as `browser` and returns it (failing if anything else answers). */
export async function openConsent(url: URL, browser: Browser): Promise<ConsentBody> {
  const response = await get(url, cookiesOf(browser))
  const body = (await response.json()) as ConsentBody
  if (response.status !== 200 || body.consent !== true) {
    throw new Error(`Expected the consent screen, got ${response.status} ${JSON.stringify(body)}`)
  }
  return body
}

/** Posts the consent form (`approve` or `deny`) as `browser`. */
export function answerConsent(
  env: TestEnvironment,
  answer: 'approve' | 'deny',
  fields: Record<string, string>,
  browser: Browser | null,
): Promise<Response> {
  return postForm(`${env.origin}/oauth/authorize/${answer}`, fields, cookiesOf(browser))
}

/** The redirect back to the client, validated by oauth4webapi (state, iss, error). */
export function callbackOf(
  as: oauth.AuthorizationServer,
  prepared: PreparedAuthorization,
  response: Response,
): URLSearchParams {
  const location = response.headers.get('location')
  if (response.status !== 302 || location === null) {
    throw new Error(`Expected a redirect to the client, got ${response.status}`)
  }
  const url = new URL(location)
  if (`${url.origin}${url.pathname}` !== prepared.redirectUri) throw new Error(`Redirected to ${location}`)
  return oauth.validateAuthResponse(as, clientOf(prepared.client), url, prepared.state)
}

/** Authorizes as `browser` through the consent screen (approving, remembered unless told). */
export async function authorizeThroughConsent(
  env: TestEnvironment,
  as: oauth.AuthorizationServer,
  browser: Browser,
  input: AuthorizationRequestInput & { readonly remember?: boolean } = {},
): Promise<{ readonly prepared: PreparedAuthorization; readonly callback: URLSearchParams }> {
  const prepared = await prepareAuthorization(env, as, input)
  const consent = await openConsent(prepared.url, browser)
  const fields: Record<string, string> = { ticket: consent.ticket }
  if (input.remember ?? true) fields.remember = 'on'
  const response = await answerConsent(env, 'approve', fields, browser)
  return { prepared, callback: callbackOf(as, prepared, response) }
}

/** Exchanges the code of `callback` with client_secret_post (as the seed does) and returns the raw response. */
export function exchangeCode(
  as: oauth.AuthorizationServer,
  prepared: PreparedAuthorization,
  callback: URLSearchParams,
  auth: oauth.ClientAuth = prepared.client.secret === null
    ? oauth.None()
    : oauth.ClientSecretPost(prepared.client.secret),
): Promise<Response> {
  return oauth.authorizationCodeGrantRequest(
    as,
    clientOf(prepared.client),
    auth,
    callback,
    prepared.redirectUri,
    prepared.codeVerifier,
    insecure,
  )
}

/** The whole browser flow plus the code exchange: a fresh user's tokens. */
export async function obtainTokens(
  env: TestEnvironment,
  as: oauth.AuthorizationServer,
  input: AuthorizationRequestInput & { readonly browser?: Browser } = {},
): Promise<ObtainedTokens> {
  const browser = input.browser ?? newBrowser(env)
  const { prepared, callback } = await authorizeThroughConsent(env, as, browser, input)
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    clientOf(prepared.client),
    await exchangeCode(as, prepared, callback),
  )
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    scope: tokens.scope,
    browser,
    clientId: prepared.client.id,
  }
}

/** What {@link obtainTokens} hands back: the tokens, and who got them. */
export interface ObtainedTokens {
  readonly access_token: string
  readonly refresh_token: string | undefined
  readonly scope: string | undefined
  readonly browser: Browser
  readonly clientId: string
}

/** client_credentials for the service client (Basic auth), with `scope`. */
export async function serviceToken(
  env: TestEnvironment,
  as: oauth.AuthorizationServer,
  scope: string,
): Promise<oauth.TokenEndpointResponse> {
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    clientOf(env.clients.service),
    secretBasic(env.clients.service),
    { scope },
    insecure,
  )
  return oauth.processClientCredentialsResponse(as, clientOf(env.clients.service), response)
}

/**
 * Calls a protected route through oauth4webapi (which throws `WWWAuthenticateChallengeError` on a
 * challenge): for the happy paths.
 */
export function protectedResource(
  env: TestEnvironment,
  path: string,
  accessToken: string,
): Promise<Response> {
  return oauth.protectedResourceRequest(
    accessToken,
    'GET',
    new URL(path, env.origin),
    undefined,
    undefined,
    insecure,
  )
}

/** Calls a protected route with `Authorization: Bearer <token>` (none for `null`), plain fetch. */
export function callResource(
  env: TestEnvironment,
  path: string,
  accessToken: string | null,
): Promise<Response> {
  return get(
    new URL(path, env.origin),
    accessToken === null ? {} : { authorization: `Bearer ${accessToken}` },
  )
}
