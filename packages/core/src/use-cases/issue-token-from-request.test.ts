import { describe, expect, it } from 'vitest'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  obtainTokens,
  refreshBody,
} from '../test-support/test-server.js'
import { basicAuthorization, oauthErrorOf } from '../test-support/token-helpers.js'

describe('issueTokenFromRequest (the token endpoint)', () => {
  it('a missing grant_type is invalid_request', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const error = await oauthErrorOf(
      server.issueTokenFromRequest({ body: { client_id: client.id, client_secret: client.secret! } }),
    )
    expect(error.code).toBe('invalid_request')
    expect(error.status).toBe(400)
  })

  it('an unknown grant_type is unsupported_grant_type', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    for (const grantType of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code']) {
      const error = await oauthErrorOf(
        server.issueTokenFromRequest({
          body: { grant_type: grantType, client_id: client.id, client_secret: client.secret! },
        }),
      )
      expect(error.code).toBe('unsupported_grant_type')
      expect(error.status).toBe(400)
    }
  })

  it('a grant the client is not allowed is unauthorized_client', async () => {
    const { server } = createTestServer()
    // Allowed authorization_code only: neither refresh_token nor client_credentials.
    const client = await createTestClient(server, { allowedGrants: ['authorization_code'] })
    for (const grantType of ['client_credentials', 'refresh_token']) {
      const error = await oauthErrorOf(
        server.issueTokenFromRequest({
          body: { grant_type: grantType, client_id: client.id, client_secret: client.secret! },
        }),
      )
      expect(error.code).toBe('unauthorized_client')
      expect(error.status).toBe(400)
    }
  })

  it('a repeated parameter is invalid_request, and the code survives it', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const body = codeExchangeBody(client, code, verifier)
    const repeatedForm = new URLSearchParams(body)
    repeatedForm.append('code', code)
    const repeatedGrantType = new URLSearchParams(body)
    repeatedGrantType.append('grant_type', 'authorization_code')
    for (const request of [
      { body: repeatedForm },
      { body: repeatedGrantType },
      { body: { ...body, code: [code, code] } },
      { body: { ...body, client_secret: [client.secret!, client.secret!] } },
    ]) {
      const error = await oauthErrorOf(server.issueTokenFromRequest(request))
      expect(error.code).toBe('invalid_request')
    }
    // Nothing was consumed: the code still works.
    await expect(server.issueTokenFromRequest({ body })).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('answers token_type Bearer, expires_in 3600, scope as a string and scopes as an array', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client, { scope: 'invoices.write invoices.read' })
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^spoat_[A-Za-z0-9_-]{43}$/),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'invoices.read invoices.write',
      scopes: ['invoices.read', 'invoices.write'],
      refresh_token: expect.stringMatching(/^sport_[A-Za-z0-9_-]{43}$/),
    })
  })

  it('expires_in follows accessTokenTtlMinutes', async () => {
    const { server } = createTestServer({ accessTokenTtlMinutes: 15 })
    const client = await createTestClient(server)
    expect((await obtainTokens(server, client)).expires_in).toBe(900)
  })

  it('issues a refresh token only to a client allowed the refresh_token grant', async () => {
    const { server } = createTestServer()
    const withRefresh = await createTestClient(server)
    const withoutRefresh = await createTestClient(server, { allowedGrants: ['authorization_code'] })
    expect((await obtainTokens(server, withRefresh)).refresh_token).toEqual(expect.any(String))
    const tokens = await obtainTokens(server, withoutRefresh)
    expect(tokens).not.toHaveProperty('refresh_token')
  })

  it('accepts client credentials by Basic for every grant', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, {
      allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    })
    const authorization = basicAuthorization(client.id, client.secret!)
    const { code, verifier } = await authorize(server, client)
    const { client_id: _id, client_secret: _secret, ...codeBody } = codeExchangeBody(client, code, verifier)
    const tokens = await server.issueTokenFromRequest({ authorization, body: codeBody })
    const {
      client_id: _id2,
      client_secret: _secret2,
      ...refresh
    } = refreshBody(client, tokens.refresh_token!)
    await expect(server.issueTokenFromRequest({ authorization, body: refresh })).resolves.toMatchObject({
      token_type: 'Bearer',
    })
    await expect(
      server.issueTokenFromRequest({ authorization, body: { grant_type: 'client_credentials' } }),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('events never carry a plaintext secret, code, verifier or token', async () => {
    const { server, events } = createTestServer({ refreshTokenReuseGraceSeconds: 0 })
    const client = await createTestClient(server)
    const publicClient = await createTestClient(server, { confidential: false })
    const plaintexts: string[] = [client.secret!]

    // Code exchange, refresh, a bearer check, introspection, revocation.
    const first = await authorize(server, client, { scope: 'invoices.read invoices.write' })
    plaintexts.push(first.code, first.verifier!)
    const tokens = await server.issueTokenFromRequest({
      body: codeExchangeBody(client, first.code, first.verifier),
    })
    plaintexts.push(tokens.access_token, tokens.refresh_token!)
    const refreshed = await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    plaintexts.push(refreshed.access_token, refreshed.refresh_token!)
    await server.authenticateBearer({ authorization: `Bearer ${refreshed.access_token}` })
    await server.introspectTokenFromRequest({
      body: { client_id: client.id, client_secret: client.secret!, token: refreshed.access_token },
    })
    await server.revokeTokenFromRequest({
      authorization: basicAuthorization(client.id, client.secret!),
      body: { token: refreshed.access_token },
    })

    // Failures that publish: a wrong secret, a replayed code, a reused refresh token.
    const wrongSecret = 'a'.repeat(64)
    plaintexts.push(wrongSecret)
    await oauthErrorOf(
      server.issueTokenFromRequest({
        body: { ...refreshBody(client, refreshed.refresh_token!), client_secret: wrongSecret },
      }),
    )
    await oauthErrorOf(server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) }))
    await oauthErrorOf(
      server.issueTokenFromRequest({ body: codeExchangeBody(client, first.code, first.verifier) }),
    )

    // A public client's flow, and a revocation of its refresh token.
    const second = await authorize(server, publicClient)
    plaintexts.push(second.code, second.verifier!)
    const publicTokens = await server.issueTokenFromRequest({
      body: codeExchangeBody(publicClient, second.code, second.verifier),
    })
    plaintexts.push(publicTokens.access_token, publicTokens.refresh_token!)
    await server.revokeToken({ token: publicTokens.refresh_token!, hint: 'refresh_token' })

    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set([
        'OAuthClientCreated',
        'OAuthAuthorizationApproved',
        'OAuthTokenIssued',
        'OAuthRefreshTokenRotated',
        'OAuthTokenRevoked',
        'OAuthClientAuthenticationFailed',
        'OAuthAuthorizationCodeReplayDetected',
        'OAuthRefreshTokenReuseDetected',
      ]),
    )
    const serialized = JSON.stringify(events)
    for (const plaintext of plaintexts) expect(serialized).not.toContain(plaintext)
  })
})
