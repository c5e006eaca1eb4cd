import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import { renderError } from '../errors/render-error.js'
import {
  createPkce,
  createTestClient,
  createTestServer,
  ISSUER,
  REDIRECT_URI,
  rejectionOf,
  type TestClient,
} from '../test-support/test-server.js'

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** A valid request of `client` for invoices.read with an S256 challenge and state. */
function requestOf(client: TestClient, overrides: Record<string, string | undefined> = {}) {
  return {
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    state: 'state-1',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  }
}

async function oauthRejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  return error as OAuthError
}

/** The error must be shown to the user: no redirect, and rendered as a 400 JSON page. */
function expectShownNotRedirected(error: OAuthError, code = 'invalid_request'): void {
  expect(error.code).toBe(code)
  expect(error.redirect).toBeUndefined()
  const response = renderError(error, { issuer: ISSUER })
  expect(response.status).toBe(400)
  expect(response.headers['content-type']).toBe('application/json')
  expect(response.headers.location).toBeUndefined()
  expect(response.body).toMatchObject({ error: code })
}

/** The error goes back to the client: a 302 to the redirect URI with error, state and iss. */
function expectRedirected(error: OAuthError, code: string, options: { readonly state?: string | null } = {}) {
  const state = options.state === undefined ? 'state-1' : options.state
  expect(error.code).toBe(code)
  expect(error.redirect).toEqual({ redirectUri: REDIRECT_URI, state })
  const response = renderError(error, { issuer: ISSUER })
  expect(response.status).toBe(302)
  const location = new URL(response.headers.location!)
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
  expect(location.searchParams.get('error')).toBe(code)
  expect(location.searchParams.get('state')).toBe(state)
  expect(location.searchParams.get('iss')).toBe(ISSUER)
}

describe('validateAuthorizationRequest', () => {
  it('accepts the seed request and returns what the consent screen needs', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await server.validateAuthorizationRequest(requestOf(client))
    expect(request).toMatchObject({
      client: { id: client.id, name: 'ERP Connector', confidential: true },
      redirectUri: REDIRECT_URI,
      redirectUriExplicit: true,
      responseType: 'code',
      scopes: ['invoices.read'],
      state: 'state-1',
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
      prompt: [],
    })
    expect(JSON.stringify(request)).not.toMatch(/secretHash/)
  })

  it('accepts URLSearchParams as well as a record', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await server.validateAuthorizationRequest(
      new URLSearchParams(requestOf(client) as Record<string, string>),
    )
    expect(request.scopes).toEqual(['invoices.read'])
  })

  it('returns state as null when the client sent none', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const request = await server.validateAuthorizationRequest(requestOf(client, { state: undefined }))
    expect(request.state).toBeNull()
  })

  describe('until the client and redirect URI are verified, errors are shown, never redirected', () => {
    it('refuses a missing client_id', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { client_id: undefined })),
      )
      expectShownNotRedirected(error)
    })

    it('refuses an unknown client_id', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { client_id: '00000000-0000-4000-8000-000000000000' }),
        ),
      )
      expectShownNotRedirected(error)
    })

    it.each(['not-a-uuid', "' OR 1=1 --", 'ERP Connector'])(
      'refuses the malformed client_id %j',
      async (clientId) => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const error = await oauthRejection(
          server.validateAuthorizationRequest(requestOf(client, { client_id: clientId })),
        )
        expectShownNotRedirected(error)
      },
    )

    it('refuses a revoked client', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      await server.revokeClient(client.id)
      const error = await oauthRejection(server.validateAuthorizationRequest(requestOf(client)))
      expectShownNotRedirected(error)
    })

    it('refuses a redirect_uri the client did not register', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { redirect_uri: 'https://evil.example.com/cb' }),
        ),
      )
      expectShownNotRedirected(error)
      expect(JSON.stringify(server.renderError(error))).not.toContain('evil.example.com')
    })

    it.each([
      'https://CLIENT.example.com/callback',
      'https://client.example.com/Callback',
      'https://client.example.com/callback/',
      'https://client.example.com:443/callback',
      'https://client.example.com:8443/callback',
      'https://client.example.com/callback?x=1',
      'https://client.example.com/callback#x',
      'https://client.example.com/callbac',
      'https://client.example.com/callback2',
      'https://client.example.com/callback/../callback',
      'https://client.example.com.evil.example/callback',
      'http://client.example.com/callback',
    ])('refuses the redirect_uri %s: only an exact match of a registered one is accepted', async (uri) => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { redirect_uri: uri })),
      )
      expectShownNotRedirected(error)
    })

    it('refuses a repeated client_id without redirecting', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const params = new URLSearchParams(requestOf(client) as Record<string, string>)
      params.append('client_id', client.id)
      expectShownNotRedirected(await oauthRejection(server.validateAuthorizationRequest(params)))
    })

    it('refuses a client that has only registered redirect URIs when the request names another', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, {
        redirectUris: [REDIRECT_URI, 'https://client.example.com/other'],
      })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { redirect_uri: 'https://client.example.com/third' }),
        ),
      )
      expectShownNotRedirected(error)
    })
  })

  describe('a missing redirect_uri', () => {
    it('is allowed when the client registered exactly one, which is then used', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { redirect_uri: undefined }),
      )
      expect(request.redirectUri).toBe(REDIRECT_URI)
      expect(request.redirectUriExplicit).toBe(false)
    })

    it('is refused, and shown, when the client registered more than one', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, {
        redirectUris: [REDIRECT_URI, 'https://client.example.com/other'],
      })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { redirect_uri: undefined })),
      )
      expectShownNotRedirected(error)
    })

    it('an explicit redirect_uri of a client with several is accepted and marked explicit', async () => {
      const { server } = createTestServer()
      const other = 'https://client.example.com/other'
      const client = await createTestClient(server, { redirectUris: [REDIRECT_URI, other] })
      const request = await server.validateAuthorizationRequest(requestOf(client, { redirect_uri: other }))
      expect(request.redirectUri).toBe(other)
      expect(request.redirectUriExplicit).toBe(true)
    })
  })

  describe('once the client and redirect URI are verified, errors are redirected with state and iss', () => {
    it('refuses a missing response_type with invalid_request', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { response_type: undefined })),
      )
      expectRedirected(error, 'invalid_request')
    })

    it.each(['token', 'code id_token', 'CODE', 'id_token'])(
      'refuses response_type=%s with unsupported_response_type',
      async (responseType) => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const error = await oauthRejection(
          server.validateAuthorizationRequest(requestOf(client, { response_type: responseType })),
        )
        expectRedirected(error, 'unsupported_response_type')
      },
    )

    it('redirects without state when the request had none', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { response_type: 'token', state: undefined })),
      )
      expectRedirected(error, 'unsupported_response_type', { state: null })
      const location = new URL(server.renderError(error).headers.location!)
      expect(location.searchParams.has('state')).toBe(false)
    })

    it('server.renderError redirects with the issuer as iss (RFC 9207)', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { response_type: 'token' })),
      )
      const response = server.renderError(error)
      expect(response.status).toBe(302)
      expect(new URL(response.headers.location!).searchParams.get('iss')).toBe(ISSUER)
    })

    it('refuses a client not allowed the authorization_code grant with unauthorized_client', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
      const error = await oauthRejection(server.validateAuthorizationRequest(requestOf(client)))
      expectRedirected(error, 'unauthorized_client')
    })

    it("refuses a scope outside the client's allowed scopes with invalid_scope", async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { scope: 'invoices.read admin' })),
      )
      expectRedirected(error, 'invalid_scope')
    })

    it.each(['invoices.read  invoices.write', ' invoices.read', 'invoices."read"', 'invoices\\read'])(
      'refuses the malformed scope %j with invalid_scope',
      async (scope) => {
        const { server } = createTestServer()
        const client = await createTestClient(server)
        const error = await oauthRejection(server.validateAuthorizationRequest(requestOf(client, { scope })))
        expectRedirected(error, 'invalid_scope')
      },
    )

    it('refuses a repeated state, scope or code_challenge with invalid_request (RFC 6749 §3.1)', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      for (const name of ['state', 'scope', 'code_challenge', 'response_type']) {
        const params = new URLSearchParams(requestOf(client) as Record<string, string>)
        params.append(name, params.get(name)!)
        const error = await oauthRejection(server.validateAuthorizationRequest(params))
        expect(error.code, name).toBe('invalid_request')
      }
      const error = await oauthRejection(
        server.validateAuthorizationRequest({
          ...requestOf(client),
          scope: ['invoices.read', 'invoices.write'],
        }),
      )
      expect(error.code).toBe('invalid_request')
    })
  })

  describe('scopes', () => {
    it('returns the requested scopes, sorted and deduplicated', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { scope: 'invoices.write invoices.read invoices.write' }),
      )
      expect(request.scopes).toEqual(['invoices.read', 'invoices.write'])
    })

    it('uses the configured defaultScopes the client is allowed when scope is absent', async () => {
      const { server } = createTestServer({ defaultScopes: ['invoices.read', 'profile'] })
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(requestOf(client, { scope: undefined }))
      expect(request.scopes).toEqual(['invoices.read'])
    })

    it('refuses an absent scope with invalid_scope when no defaultScopes are configured', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { scope: undefined })),
      )
      expectRedirected(error, 'invalid_scope')
    })

    it('refuses an absent scope with invalid_scope when the client is allowed none of the defaultScopes', async () => {
      const { server } = createTestServer({ defaultScopes: ['profile'] })
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { scope: undefined })),
      )
      expectRedirected(error, 'invalid_scope')
    })
  })

  describe('PKCE (RFC 7636)', () => {
    it('requires a code_challenge of a public client', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { code_challenge: undefined, code_challenge_method: undefined }),
        ),
      )
      expectRedirected(error, 'invalid_request')
      expect(error.description).toMatch(/code_challenge/)
    })

    it('accepts a public client with an S256 challenge', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const pkce = await createPkce()
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { code_challenge: pkce.challenge }),
      )
      expect(request).toMatchObject({ codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' })
    })

    it("does not require PKCE of a confidential client with pkce: { requiredFor: 'public-clients' }", async () => {
      const { server } = createTestServer({ pkce: { requiredFor: 'public-clients' } })
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { code_challenge: undefined, code_challenge_method: undefined }),
      )
      expect(request).toMatchObject({ codeChallenge: null, codeChallengeMethod: null })
    })

    it('requires PKCE of confidential clients too by default (RFC 9700 §2.1.1, OAuth 2.1)', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { code_challenge: undefined, code_challenge_method: undefined }),
        ),
      )
      expectRedirected(error, 'invalid_request')
      const accepted = await server.validateAuthorizationRequest(requestOf(client))
      expect(accepted.codeChallengeMethod).toBe('S256')
    })

    it('accepts code_challenge_method=plain with pkce: { allowPlain: true }', async () => {
      const { server } = createTestServer({ pkce: { allowPlain: true } })
      const client = await createTestClient(server, { confidential: false })
      const verifier = 'v'.repeat(43)
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { code_challenge: verifier, code_challenge_method: 'plain' }),
      )
      expect(request).toMatchObject({ codeChallenge: verifier, codeChallengeMethod: 'plain' })
    })

    it('refuses code_challenge_method=plain by default (RFC 9700 §2.1.1)', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { code_challenge: 'v'.repeat(43), code_challenge_method: 'plain' }),
        ),
      )
      expectRedirected(error, 'invalid_request')
      expect(error.description).toMatch(/plain/)
    })

    it('takes an absent code_challenge_method to mean plain (RFC 7636 §4.3)', async () => {
      const { server } = createTestServer({ pkce: { allowPlain: true } })
      const client = await createTestClient(server, { confidential: false })
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { code_challenge: 'v'.repeat(43), code_challenge_method: undefined }),
      )
      expect(request.codeChallengeMethod).toBe('plain')
    })

    it('refuses an absent code_challenge_method, being plain, by default', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(client, { code_challenge: CHALLENGE, code_challenge_method: undefined }),
        ),
      )
      expectRedirected(error, 'invalid_request')
    })

    it.each(['S512', 's256', 'PLAIN', 'none'])('refuses the code_challenge_method %s', async (method) => {
      const { server } = createTestServer()
      const client = await createTestClient(server, { confidential: false })
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { code_challenge_method: method })),
      )
      expectRedirected(error, 'invalid_request')
    })

    it.each([
      ['42 characters', 'a'.repeat(42)],
      ['129 characters', 'a'.repeat(129)],
      ['a + sign', `${'a'.repeat(42)}+`],
      ['a / sign', `${'a'.repeat(42)}/`],
      ['padding', `${'a'.repeat(43)}=`],
      ['a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`],
    ])('refuses a malformed code_challenge with %s', async (_what, challenge) => {
      for (const method of ['S256', 'plain']) {
        const { server } = createTestServer()
        const client = await createTestClient(server, { confidential: false })
        const error = await oauthRejection(
          server.validateAuthorizationRequest(
            requestOf(client, { code_challenge: challenge, code_challenge_method: method }),
          ),
        )
        expectRedirected(error, 'invalid_request')
      }
    })

    it('accepts code_challenge values of 43 and 128 unreserved characters', async () => {
      const { server } = createTestServer({ pkce: { allowPlain: true } })
      const client = await createTestClient(server, { confidential: false })
      for (const challenge of ['a'.repeat(43), `${'A1-._~'.repeat(21)}xy`]) {
        const request = await server.validateAuthorizationRequest(
          requestOf(client, { code_challenge: challenge, code_challenge_method: 'plain' }),
        )
        expect(request.codeChallenge).toBe(challenge)
      }
    })

    it('refuses a code_challenge_method without a code_challenge', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const error = await oauthRejection(
        server.validateAuthorizationRequest(requestOf(client, { code_challenge: undefined })),
      )
      expectRedirected(error, 'invalid_request')
      expect(error.description).toMatch(/without code_challenge/)
    })
  })

  describe('prompt', () => {
    it('parses the space-delimited prompt values', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(
        requestOf(client, { prompt: 'login consent' }),
      )
      expect(request.prompt).toEqual(['login', 'consent'])
    })

    it('reads prompt=none', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const request = await server.validateAuthorizationRequest(requestOf(client, { prompt: 'none' }))
      expect(request.prompt).toEqual(['none'])
    })

    it('gives no prompt values when prompt is absent', async () => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      expect((await server.validateAuthorizationRequest(requestOf(client))).prompt).toEqual([])
    })
  })

  it('changes nothing and publishes nothing', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    events.length = 0
    await server.validateAuthorizationRequest(requestOf(client))
    await rejectionOf(server.validateAuthorizationRequest(requestOf(client, { response_type: 'token' })))
    expect(events).toEqual([])
  })
})

describe('a native app on a loopback IP redirect URI (RFC 8252 §7.3)', () => {
  it('authorizes, approves and exchanges on whatever port it listens on, that same URI throughout', async () => {
    const { server } = createTestServer()
    const cli = await createTestClient(server, {
      confidential: false,
      applicationType: 'native',
      redirectUris: ['http://127.0.0.1/callback'],
    })
    const { verifier, challenge } = await createPkce()
    const redirectUri = 'http://127.0.0.1:49152/callback'
    const request = await server.validateAuthorizationRequest(
      requestOf(cli, { redirect_uri: redirectUri, code_challenge: challenge }),
    )
    expect(request.redirectUri).toBe(redirectUri)
    const approval = await server.approveAuthorizationRequest(request, 'user-1')
    expect(approval.redirectUrl.startsWith(`${redirectUri}?code=`)).toBe(true)
    const body = {
      grant_type: 'authorization_code',
      client_id: cli.id,
      code: approval.code,
      code_verifier: verifier,
    }
    const wrongPort = await oauthRejection(
      server.issueTokenFromRequest({ body: { ...body, redirect_uri: 'http://127.0.0.1:49153/callback' } }),
    )
    expect(wrongPort.code).toBe('invalid_grant')
    await expect(
      server.issueTokenFromRequest({ body: { ...body, redirect_uri: redirectUri } }),
    ).resolves.toMatchObject({
      token_type: 'Bearer',
    })
  })

  it('the any-port rule is for native clients only: a web client (the default) gets another port refused, shown', async () => {
    const { server } = createTestServer()
    for (const confidential of [false, true]) {
      const web = await createTestClient(server, {
        confidential,
        redirectUris: ['http://127.0.0.1:8080/callback'],
      })
      const { challenge } = await createPkce()
      const refused = await oauthRejection(
        server.validateAuthorizationRequest(
          requestOf(web, { redirect_uri: 'http://127.0.0.1:4444/callback', code_challenge: challenge }),
        ),
      )
      expect(refused.code).toBe('invalid_request')
      expect(refused.redirect).toBeUndefined()
      const request = await server.validateAuthorizationRequest(
        requestOf(web, { redirect_uri: 'http://127.0.0.1:8080/callback', code_challenge: challenge }),
      )
      expect(request.redirectUri).toBe('http://127.0.0.1:8080/callback')
    }
  })
})
