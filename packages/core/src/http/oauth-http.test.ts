import { describe, expect, it } from 'vitest'
import type { AuthorizationServerOptions } from '../config/options.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import {
  createPkce,
  createTestClient,
  createTestServer,
  REDIRECT_URI,
  type TestClient,
} from '../test-support/test-server.js'
import type { HttpRequest, HttpResponse } from './http-message.js'
import type { OAuthHttpOptions } from './http-options.js'
import type { ConsentPrompt, InteractionOutcome, InteractionUser } from './interaction.js'
import { createOAuthHttp, type OAuthHttp } from './oauth-http.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const ALICE: InteractionUser = { user: 'alice', session: 'session-a' }

function setUp(overrides: Partial<AuthorizationServerOptions> = {}, options: OAuthHttpOptions = {}) {
  const test = createTestServer(overrides)
  return { ...test, http: createOAuthHttp(test.server, options) }
}

function request(
  method: string,
  target: string,
  body?: string,
  headers: Record<string, string> = {},
): HttpRequest {
  const [path = '', query = ''] = target.split(/\?(.*)/s)
  return {
    method,
    path,
    query,
    headers: { ...(body === undefined ? {} : FORM), ...headers },
    body: body === undefined ? null : new TextEncoder().encode(body),
  }
}

async function send(http: OAuthHttp, req: HttpRequest, signedIn: InteractionUser | null = null) {
  const route = http.route(req.method, req.path)
  if (!route) throw new Error(`no route for ${req.path}`)
  return http.handle(route, req, signedIn)
}

function responseOf(outcome: InteractionOutcome): HttpResponse {
  if (outcome.kind !== 'respond') throw new Error(`expected a response, got ${outcome.kind}`)
  return outcome.response
}

/** An error for the app to show: never a redirect. */
function shownErrorOf(outcome: InteractionOutcome): HttpResponse {
  if (outcome.kind !== 'error') throw new Error(`expected an error to show, got ${outcome.kind}`)
  expect(outcome.response.headers.location).toBeUndefined()
  // The same error, ready for an app's own page.
  const body = JSON.parse(outcome.response.body!)
  expect(outcome.problem).toEqual({
    status: outcome.response.status,
    error: body.error,
    description: body.error_description ?? null,
  })
  return outcome.response
}

function promptOf(outcome: InteractionOutcome): ConsentPrompt {
  if (outcome.kind !== 'consent') throw new Error(`expected a consent prompt, got ${outcome.kind}`)
  return outcome.prompt
}

async function authorizeQuery(client: TestClient, extra: Record<string, string> = {}): Promise<string> {
  const { challenge } = await createPkce()
  return new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read invoices.write',
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

function location(response: HttpResponse): URL {
  expect(response.status).toBe(302)
  return new URL(response.headers.location!)
}

describe('createOAuthHttp: routes', () => {
  it('matches each path under the issuer path and prefix, for any method; other paths are not ours', () => {
    const { http } = setUp({ issuer: 'https://id.example.com/tenant' }, { routePrefix: '/auth/' })
    expect(http.route('POST', '/tenant/auth/token')).toEqual({
      name: 'token',
      methods: ['POST'],
      readsBody: true,
      interactive: false,
    })
    expect(http.route('GET', '/tenant/auth/token')).toEqual({
      name: 'token',
      methods: ['POST'],
      readsBody: false,
      interactive: false,
    })
    expect(http.route('GET', '/tenant/auth/authorize')).toEqual({
      name: 'authorize',
      methods: ['GET', 'HEAD'],
      readsBody: false,
      interactive: true,
    })
    expect(http.route('POST', '/tenant/auth/authorize/approve')).toMatchObject({
      readsBody: true,
      interactive: true,
    })
    expect(http.route('GET', '/.well-known/oauth-authorization-server/tenant')?.name).toBe('metadata')
    expect(http.route('GET', '/tenant/auth/.well-known/oauth-authorization-server')?.name).toBe('metadata')
    expect(http.route('GET', '/oauth/token')).toBeNull()
    expect(http.route('GET', '/tenant/auth/token/')).toBeNull()
  })

  it('a wrong method is 405 with Allow, before anything else is looked at', async () => {
    const { http } = setUp()
    const response = responseOf(await send(http, request('GET', '/oauth/token')))
    expect(response).toMatchObject({ status: 405, headers: { allow: 'POST', 'cache-control': 'no-store' } })
    expect(JSON.parse(response.body!)).toMatchObject({ error: 'invalid_request' })
    expect(responseOf(await send(http, request('POST', '/oauth/jwks', ''))).headers.allow).toBe('GET, HEAD')
  })

  it('payloadTooLarge is 413 naming the limit; the limit and ticket lifetime must be positive whole numbers', () => {
    const { server, http } = setUp()
    expect(http.bodyLimitBytes).toBe(16 * 1024)
    const response = http.payloadTooLarge()
    expect(response.status).toBe(413)
    expect(response.headers.connection).toBe('close')
    expect(response.body).toContain('16384 bytes')
    expect(() => createOAuthHttp(server, { bodyLimitBytes: 0 })).toThrow(ConfigurationError)
    expect(() => createOAuthHttp(server, { consentTicketTtlSeconds: 1.5 })).toThrow(ConfigurationError)
  })

  it('names every bad HTTP option in one ConfigurationError', () => {
    const { server } = setUp()
    let error: unknown
    try {
      createOAuthHttp(server, { routePrefix: 'o auth?x=1', bodyLimitBytes: -1, consentTicketTtlSeconds: 0 })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).problems).toEqual([
      'routePrefix: may only hold URL path characters',
      'bodyLimitBytes: must be a positive whole number',
      'consentTicketTtlSeconds: must be a positive whole number',
    ])
  })

  it('mounts under the default prefix oauth, or right under the issuer path with an empty prefix', () => {
    expect(setUp().http.paths.token).toBe('/oauth/token')
    const atRoot = setUp({}, { routePrefix: '/' }).http
    expect(atRoot.paths.token).toBe('/token')
    expect(atRoot.paths.approve).toBe('/authorize/approve')
    expect(atRoot.route('POST', '/token')?.name).toBe('token')
  })
})

describe('GET /authorize', () => {
  it('sends a signed-out user to log in; with prompt=none redirects login_required instead', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const query = await authorizeQuery(client)
    expect(await send(http, request('GET', `/oauth/authorize?${query}`))).toEqual({
      kind: 'login',
      returnTo: `/oauth/authorize?${query}`,
      reauthenticate: false,
    })
    const none = responseOf(
      await send(
        http,
        request('GET', `/oauth/authorize?${await authorizeQuery(client, { prompt: 'none' })}`),
      ),
    )
    expect(Object.fromEntries(location(none).searchParams)).toMatchObject({
      error: 'login_required',
      state: 'st-1',
      iss: server.config.issuer,
    })
  })

  it('prompt=login sends even a signed-in user to log in (reauthenticate), back to the same request, which needs a newer sign-in', async () => {
    const { server, http, clock } = setUp()
    const client = await createTestClient(server)
    const signedInEarlier = { ...ALICE, authTime: clock.now() }
    clock.advanceSeconds(60)
    const outcome = await send(
      http,
      request('GET', `/oauth/authorize?${await authorizeQuery(client, { prompt: 'login consent' })}`),
      signedInEarlier,
    )
    if (outcome.kind !== 'login') throw new Error(`expected login, got ${outcome.kind}`)
    expect(outcome.reauthenticate).toBe(true)
    const back = new URL(outcome.returnTo, 'http://x')
    expect(back.pathname).toBe('/oauth/authorize')
    expect(back.searchParams.get('prompt')).toBe('login consent')
    expect(back.searchParams.get('client_id')).toBe(client.id)
    // Coming back with the old session: still login. With a sign-in since: the consent screen.
    expect((await send(http, request('GET', outcome.returnTo), signedInEarlier)).kind).toBe('login')
    clock.advanceSeconds(5)
    const signedInAgain = { ...ALICE, authTime: clock.now() }
    expect((await send(http, request('GET', outcome.returnTo), signedInAgain)).kind).toBe('consent')
  })

  it('the consent prompt carries the full redirect URI and whether a consent is remembered', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const prompt = promptOf(
      await send(http, request('GET', `/oauth/authorize?${await authorizeQuery(client)}`), ALICE),
    )
    expect(prompt).toMatchObject({ redirectUri: REDIRECT_URI, remembered: false })
  })

  it('prompt=none with another value is invalid_request, redirected', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const response = responseOf(
      await send(
        http,
        request('GET', `/oauth/authorize?${await authorizeQuery(client, { prompt: 'none consent' })}`),
        ALICE,
      ),
    )
    expect(location(response).searchParams.get('error')).toBe('invalid_request')
  })

  it('asks a signed-in user for consent with the validated request and the form paths', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const prompt = promptOf(
      await send(http, request('GET', `/oauth/authorize?${await authorizeQuery(client)}`), ALICE),
    )
    expect(prompt.request).toMatchObject({
      client: { id: client.id },
      scopes: ['invoices.read', 'invoices.write'],
    })
    expect(prompt).toMatchObject({
      approvePath: '/oauth/authorize/approve',
      denyPath: '/oauth/authorize/deny',
    })
    expect(prompt.ticket).toEqual(expect.any(String))
  })

  it('errors before the client and redirect URI are trusted are shown; later ones are redirected', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const shown = shownErrorOf(
      await send(
        http,
        request(
          'GET',
          `/oauth/authorize?${await authorizeQuery(client, { redirect_uri: 'https://evil.example/cb' })}`,
        ),
        ALICE,
      ),
    )
    expect(shown.status).toBe(400)
    expect(shown.headers.location).toBeUndefined()
    const redirected = responseOf(
      await send(
        http,
        request('GET', `/oauth/authorize?${await authorizeQuery(client, { scope: 'admin' })}`),
        ALICE,
      ),
    )
    expect(location(redirected).searchParams.get('error')).toBe('invalid_scope')
    const broken = shownErrorOf(await send(http, request('GET', '/oauth/authorize?client_id=%zz'), ALICE))
    expect(broken.status).toBe(400)
  })

  it('a remembered consent approves at once, unless prompt=consent; prompt=none without consent is consent_required', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const query = await authorizeQuery(client)
    const none = responseOf(
      await send(
        http,
        request('GET', `/oauth/authorize?${await authorizeQuery(client, { prompt: 'none' })}`),
        ALICE,
      ),
    )
    expect(location(none).searchParams.get('error')).toBe('consent_required')

    const prompt = promptOf(await send(http, request('GET', `/oauth/authorize?${query}`), ALICE))
    await send(
      http,
      request('POST', prompt.approvePath, form({ ticket: prompt.ticket, remember: 'on' })),
      ALICE,
    )

    const skipped = responseOf(await send(http, request('GET', `/oauth/authorize?${query}`), ALICE))
    expect(location(skipped).searchParams.get('code')).toEqual(expect.any(String))
    const forced = await send(
      http,
      request('GET', `/oauth/authorize?${await authorizeQuery(client, { prompt: 'consent' })}`),
      ALICE,
    )
    expect(forced.kind).toBe('consent')
    // Another user has no remembered consent.
    expect((await send(http, request('GET', `/oauth/authorize?${query}`), { user: 'bob' })).kind).toBe(
      'consent',
    )
  })
})

describe('POST /authorize/approve and /deny', () => {
  async function prompted(overrides: Partial<AuthorizationServerOptions> = {}) {
    const context = setUp(overrides)
    const client = await createTestClient(context.server)
    const prompt = promptOf(
      await send(context.http, request('GET', `/oauth/authorize?${await authorizeQuery(client)}`), ALICE),
    )
    const answer = (path: string, fields: Record<string, string>, signedIn: InteractionUser | null = ALICE) =>
      send(context.http, request('POST', path, form(fields)), signedIn).then((outcome) =>
        outcome.kind === 'error' ? shownErrorOf(outcome) : responseOf(outcome),
      )
    return { ...context, client, prompt, answer }
  }

  it('approve redirects with a code that redeems at the token endpoint; remember and a narrowed scope are honoured', async () => {
    const { server, http, client, prompt, answer } = await prompted()
    const response = await answer(prompt.approvePath, { ticket: prompt.ticket, scope: 'invoices.read' })
    const redirect = location(response)
    expect(redirect.searchParams.get('state')).toBe('st-1')
    const { verifier } = await createPkce()
    const token = responseOf(
      await send(
        http,
        request(
          'POST',
          '/oauth/token',
          form({
            grant_type: 'authorization_code',
            code: redirect.searchParams.get('code')!,
            redirect_uri: REDIRECT_URI,
            code_verifier: verifier,
            client_id: client.id,
            client_secret: client.secret!,
          }),
        ),
      ),
    )
    expect(token.status).toBe(200)
    expect(token.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' })
    expect(JSON.parse(token.body!)).toMatchObject({ scope: 'invoices.read', scopes: ['invoices.read'] })
    // Not remembered: the next request asks again.
    expect(await server.hasConsent({ user: 'alice', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('deny redirects access_denied with the state', async () => {
    const { prompt, answer } = await prompted()
    const redirect = location(await answer(prompt.denyPath, { ticket: prompt.ticket }))
    expect(Object.fromEntries(redirect.searchParams)).toMatchObject({ error: 'access_denied', state: 'st-1' })
  })

  it.each([
    ['no ticket', () => ({}), ALICE],
    ['another user', (ticket: string) => ({ ticket }), { user: 'mallory', session: 'session-a' }],
    ['another session', (ticket: string) => ({ ticket }), { user: 'alice', session: 'session-b' }],
    ['no session', (ticket: string) => ({ ticket }), { user: 'alice' }],
    ['nobody signed in', (ticket: string) => ({ ticket }), null],
    [
      'a changed scope',
      (ticket: string) => ({ ticket: ticket.replace('invoices.read', 'invoices.admin') }),
      ALICE,
    ],
    [
      'a changed redirect URI',
      (ticket: string) => ({ ticket: ticket.replace('client.example.com', 'evil.example') }),
      ALICE,
    ],
    ['a changed expiry', (ticket: string) => ({ ticket: ticket.replace(/e=\d/, 'e=9') }), ALICE],
    ['an unknown key id', (ticket: string) => ({ ticket: ticket.replace('k=k1', 'k=k9') }), ALICE],
  ] as const)('a form with %s is refused (400, shown), and issues nothing', async (_, fields, signedIn) => {
    const { prompt, answer, events } = await prompted()
    for (const path of [prompt.approvePath, prompt.denyPath]) {
      const before = events.length
      const response = await answer(path, fields(prompt.ticket), signedIn)
      expect(response.status).toBe(400)
      expect(response.headers.location).toBeUndefined()
      expect(JSON.parse(response.body!)).toMatchObject({ error: 'invalid_request' })
      expect(events.length).toBe(before)
    }
  })

  it('a form older than consentTicketTtlSeconds is refused', async () => {
    const { prompt, answer, clock } = await prompted()
    clock.advanceSeconds(599)
    expect((await answer(prompt.approvePath, { ticket: prompt.ticket })).status).toBe(302)
    clock.advanceSeconds(1)
    expect((await answer(prompt.approvePath, { ticket: prompt.ticket })).status).toBe(400)
  })

  it('a form for a client revoked since is refused', async () => {
    const { server, client, prompt, answer } = await prompted()
    await server.revokeClient(client.id)
    expect((await answer(prompt.approvePath, { ticket: prompt.ticket })).status).toBe(400)
  })
})

describe('approve (for apps with their own authorize route)', () => {
  it('validates a raw query, approves, and answers the redirect with the code, uncacheable', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server)
    const validated = await http.validateAuthorizationQuery(await authorizeQuery(client))
    const response = await http.approve(validated, 'alice', { remember: true })
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' })
    expect(location(response).searchParams.get('code')).toEqual(expect.any(String))
    expect(await server.hasConsent({ user: 'alice', clientId: client.id, scopes: validated.scopes })).toBe(
      true,
    )
  })
})

describe('token, revoke, introspect, jwks, metadata', () => {
  it('token: JSON bodies and other content types are invalid_request; Basic failures challenge Basic', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const json = responseOf(
      await send(http, request('POST', '/oauth/token', '{}', { 'content-type': 'application/json' })),
    )
    expect(json.status).toBe(400)
    const basic = responseOf(
      await send(
        http,
        request('POST', '/oauth/token', form({ grant_type: 'client_credentials' }), {
          authorization: `Basic ${btoa(`${client.id}:wrong`)}`,
        }),
      ),
    )
    expect(basic.status).toBe(401)
    expect(basic.headers['www-authenticate']).toMatch(/^Basic realm=/)
    const issued = responseOf(
      await send(
        http,
        request('POST', '/oauth/token', form({ grant_type: 'client_credentials' }), {
          authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}`,
        }),
      ),
    )
    expect(issued.status).toBe(200)
    const accessToken = JSON.parse(issued.body!).access_token as string

    const introspected = responseOf(
      await send(
        http,
        request(
          'POST',
          '/oauth/introspect',
          form({ token: accessToken, client_id: client.id, client_secret: client.secret! }),
        ),
      ),
    )
    expect(JSON.parse(introspected.body!)).toMatchObject({ active: true, client_id: client.id })
    const revoked = responseOf(
      await send(
        http,
        request(
          'POST',
          '/oauth/revoke',
          form({ token: accessToken, client_id: client.id, client_secret: client.secret! }),
        ),
      ),
    )
    expect(revoked).toEqual({
      status: 200,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      body: null,
    })
    const after = await http.protect(`Bearer ${accessToken}`)
    expect(after.response?.status).toBe(401)
  })

  it('metadata advertises exactly what is enabled', async () => {
    const opaque = setUp({ pkce: { allowPlain: true } })
    const body = JSON.parse(
      responseOf(await send(opaque.http, request('GET', '/.well-known/oauth-authorization-server'))).body!,
    )
    expect(body).toMatchObject({
      issuer: opaque.server.config.issuer,
      token_endpoint: `${opaque.server.config.issuer}/oauth/token`,
      code_challenge_methods_supported: ['S256', 'plain'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(body).not.toHaveProperty('jwks_uri')
    expect(body).not.toHaveProperty('scopes_supported')

    // The default: S256 only.
    const jwt = setUp({ accessTokenFormat: 'jwt', scopes: ['invoices.read'] })
    const jwtBody = JSON.parse(
      responseOf(await send(jwt.http, request('GET', '/oauth/.well-known/oauth-authorization-server'))).body!,
    )
    expect(jwtBody).toMatchObject({
      jwks_uri: `${jwt.server.config.issuer}/oauth/jwks`,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['invoices.read'],
    })
  })

  it('jwks lists the public keys only, cacheable no longer than the key cache', async () => {
    const { server, http } = setUp({ accessTokenFormat: 'jwt' })
    const key = await server.rotateSigningKey()
    const response = responseOf(await send(http, request('GET', '/oauth/jwks')))
    expect(response.headers['cache-control']).toBe(`public, max-age=${server.config.signingKeyCacheSeconds}`)
    const { keys } = JSON.parse(response.body!) as { keys: Record<string, unknown>[] }
    expect(keys.map((jwk) => jwk.kid)).toEqual([key.kid])
    expect(keys[0]).not.toHaveProperty('d')
  })
})

describe('protect', () => {
  it('no token: 401 with a bare Bearer challenge; a bad one: invalid_token', async () => {
    const { http } = setUp()
    const missing = await http.protect(undefined)
    expect(missing.response).toMatchObject({ status: 401, body: null })
    expect(missing.response?.headers['www-authenticate']).toBe('Bearer realm="oauth"')
    expect(missing.response?.headers).not.toHaveProperty('content-type')
    const bad = await http.protect('Bearer nope')
    expect(bad.response?.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('checks all scopes, any scope and clients, naming the scope when one lacks', async () => {
    const { server, http } = setUp()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const { access_token } = await server.issueTokenFromRequest({
      body: {
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret!,
        scope: 'invoices.read',
      },
    })
    const bearer = `Bearer ${access_token}`
    expect((await http.protect(bearer, { allScopes: ['invoices.read'] })).principal?.clientId).toBe(client.id)
    const lacking = await http.protect(bearer, { allScopes: ['invoices.read', 'invoices.write'] })
    expect(lacking.response?.status).toBe(403)
    expect(lacking.response?.headers['www-authenticate']).toContain('scope="invoices.read invoices.write"')
    expect(
      (await http.protect(bearer, { anyScope: ['invoices.write', 'invoices.read'] })).principal,
    ).toBeDefined()
    expect((await http.protect(bearer, { anyScope: ['invoices.write'] })).response?.status).toBe(403)
    expect((await http.protect(bearer, { clients: ['someone-else'] })).response?.status).toBe(403)
    const { principal } = await http.protect(bearer)
    // A principal already authenticated is checked as it is, without the header.
    expect((await http.protect(undefined, { clients: [client.id] }, principal)).principal).toBe(principal)
  })
})
