import { describe, expect, it } from 'vitest'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  codeExchangeBody,
  createPkce,
  createTestClient,
  createTestServer,
  obtainTokens,
  REDIRECT_URI,
  refreshBody,
  type TestClient,
} from '../test-support/test-server.js'
import { oauthErrorOf } from '../test-support/token-helpers.js'
import type { TokenResponse } from './internal/issue-tokens.js'

/** Authorizes `user` (remembering consent); the code, unredeemed, with its verifier. */
async function approvedCode(server: AuthorizationServer, client: TestClient, user: string) {
  const pkce = await createPkce()
  const request = await server.validateAuthorizationRequest({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: REDIRECT_URI,
    scope: 'invoices.read',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  })
  const { code } = await server.approveAuthorizationRequest(request, user, { remember: true })
  return { code, verifier: pkce.verifier }
}

/** Authorizes `user` (remembering consent) and exchanges the code. */
async function tokensOf(
  server: AuthorizationServer,
  client: TestClient,
  user: string,
): Promise<TokenResponse> {
  const { code, verifier } = await approvedCode(server, client, user)
  return server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
}

async function works(server: AuthorizationServer, tokens: TokenResponse): Promise<boolean> {
  try {
    await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
  } catch {
    return false
  }
  return true
}

async function refreshFails(server: AuthorizationServer, client: TestClient, tokens: TokenResponse) {
  const error = await oauthErrorOf(
    server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) }),
  )
  return error.code === 'invalid_grant'
}

describe('revokeUserTokens', () => {
  it("with a client id, revokes the user's access and refresh tokens of that client only", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const otherClient = await createTestClient(server)
    const mine = await tokensOf(server, client, 'user-1')
    const second = await tokensOf(server, client, 'user-1')
    const elsewhere = await tokensOf(server, otherClient, 'user-1')
    const otherUser = await tokensOf(server, client, 'user-2')
    expect(await server.revokeUserTokens({ user: 'user-1', clientId: client.id })).toEqual({
      authorizationCodes: 0,
      accessTokens: 2,
      refreshTokens: 2,
      consents: 0,
    })
    expect(await works(server, mine)).toBe(false)
    expect(await works(server, second)).toBe(false)
    expect(await refreshFails(server, client, mine)).toBe(true)
    expect(await works(server, elsewhere)).toBe(true)
    expect(await works(server, otherUser)).toBe(true)
    await server.issueTokenFromRequest({ body: refreshBody(client, otherUser.refresh_token!) })
  })

  it("without a client id, revokes the user's tokens at every client (sign out everywhere), and nobody else's", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const otherClient = await createTestClient(server)
    const mine = await tokensOf(server, client, 'user-1')
    const elsewhere = await tokensOf(server, otherClient, 'user-1')
    const otherUser = await tokensOf(server, otherClient, 'user-2')
    expect(await server.revokeUserTokens({ user: { id: 'user-1' } })).toEqual({
      authorizationCodes: 0,
      accessTokens: 2,
      refreshTokens: 2,
      consents: 0,
    })
    expect(await works(server, mine)).toBe(false)
    expect(await works(server, elsewhere)).toBe(false)
    expect(await refreshFails(server, otherClient, elsewhere)).toBe(true)
    expect(await works(server, otherUser)).toBe(true)
  })

  it('deletes the unredeemed codes approved before: their exchange fails; another client and another user keep theirs', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const otherClient = await createTestClient(server)
    const pending = await approvedCode(server, client, 'user-1')
    const elsewhere = await approvedCode(server, otherClient, 'user-1')
    const otherUser = await approvedCode(server, client, 'user-2')
    expect(await server.revokeUserTokens({ user: 'user-1', clientId: client.id })).toEqual({
      authorizationCodes: 1,
      accessTokens: 0,
      refreshTokens: 0,
      consents: 0,
    })
    expect(events.at(-1)).toMatchObject({ type: 'OAuthUserTokensRevoked', authorizationCodes: 1 })
    const exchange = (target: TestClient, approved: { code: string; verifier: string }) =>
      server.issueTokenFromRequest({ body: codeExchangeBody(target, approved.code, approved.verifier) })
    expect((await oauthErrorOf(exchange(client, pending))).code).toBe('invalid_grant')
    await expect(exchange(client, otherUser)).resolves.toMatchObject({ token_type: 'Bearer' })
    const later = await approvedCode(server, otherClient, 'user-1')
    expect((await server.revokeUserTokens({ user: 'user-1' })).authorizationCodes).toBe(2)
    expect((await oauthErrorOf(exchange(otherClient, elsewhere))).code).toBe('invalid_grant')
    expect((await oauthErrorOf(exchange(otherClient, later))).code).toBe('invalid_grant')
  })

  it('revokes a rotated family whole: the current refresh token and the access tokens of every rotation', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const first = await tokensOf(server, client, 'user-1')
    const rotated = await server.issueTokenFromRequest({ body: refreshBody(client, first.refresh_token!) })
    const result = await server.revokeUserTokens({ user: 'user-1', clientId: client.id })
    // The first refresh token was rotated, not revoked: it is revoked now too.
    expect(result).toEqual({ authorizationCodes: 0, accessTokens: 2, refreshTokens: 2, consents: 0 })
    expect(await works(server, rotated)).toBe(false)
    expect(await refreshFails(server, client, rotated)).toBe(true)
  })

  it("keeps the remembered consent by default; consent: 'revoke' forgets it, so the next authorization asks again", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await tokensOf(server, client, 'user-1')
    const query = { user: 'user-1', clientId: client.id, scopes: ['invoices.read'] }
    await server.revokeUserTokens({ user: 'user-1', clientId: client.id })
    expect(await server.hasConsent(query)).toBe(true)
    const result = await server.revokeUserTokens({ user: 'user-1', clientId: client.id, consent: 'revoke' })
    expect(result).toEqual({ authorizationCodes: 0, accessTokens: 0, refreshTokens: 0, consents: 1 })
    expect(await server.hasConsent(query)).toBe(false)
  })

  it("consent: 'revoke' without a client id forgets every consent of the user and nobody else's", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const otherClient = await createTestClient(server)
    await tokensOf(server, client, 'user-1')
    await tokensOf(server, otherClient, 'user-1')
    await tokensOf(server, client, 'user-2')
    expect((await server.revokeUserTokens({ user: 'user-1', consent: 'revoke' })).consents).toBe(2)
    expect(await server.listConsents('user-1')).toEqual([])
    expect(await server.listConsents('user-2')).toHaveLength(1)
  })

  it('publishes OAuthUserTokensRevoked with the counts, and OAuthConsentRevoked per consent removed; no token in any event', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await tokensOf(server, client, 'user-1')
    events.length = 0
    await server.revokeUserTokens({ user: 'user-1', consent: 'revoke' })
    expect(events.map((event) => event.type)).toEqual(['OAuthUserTokensRevoked', 'OAuthConsentRevoked'])
    expect(events[0]).toMatchObject({
      userId: 'user-1',
      clientId: null,
      accessTokens: 1,
      refreshTokens: 1,
      consents: 1,
    })
    expect(events[1]).toMatchObject({ clientId: client.id, userId: 'user-1' })
    const published = JSON.stringify(events)
    expect(published).not.toContain(tokens.access_token)
    expect(published).not.toContain(tokens.refresh_token!)
  })

  it('is idempotent: a second call revokes nothing, returns zeros and publishes nothing', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    await obtainTokens(server, client)
    await server.revokeUserTokens({ user: 'user-1' })
    events.length = 0
    expect(await server.revokeUserTokens({ user: 'user-1' })).toEqual({
      authorizationCodes: 0,
      accessTokens: 0,
      refreshTokens: 0,
      consents: 0,
    })
    expect(events).toEqual([])
  })

  it('a client id that names no client revokes nothing and publishes nothing', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    events.length = 0
    expect(await server.revokeUserTokens({ user: 'user-1', clientId: 'not-a-client' })).toEqual({
      authorizationCodes: 0,
      accessTokens: 0,
      refreshTokens: 0,
      consents: 0,
    })
    expect(events).toEqual([])
    expect(await works(server, tokens)).toBe(true)
  })
})

describe('listConsents', () => {
  it("lists the user's remembered consents ordered by client id, with client name, scopes and dates; nobody else's", async () => {
    const { server, clock } = createTestServer()
    const client = await createTestClient(server)
    const otherClient = await createTestClient(server, { confidential: false })
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    const grantedAt = clock.now()
    clock.advanceMinutes(1)
    await server.rememberConsent({ user: 'user-1', clientId: otherClient.id, scopes: ['invoices.write'] })
    await server.rememberConsent({ user: 'user-2', clientId: client.id, scopes: ['invoices.write'] })
    const expected = [
      {
        clientId: client.id,
        clientName: 'ERP Connector',
        scopes: ['invoices.read'],
        createdAt: grantedAt,
        updatedAt: grantedAt,
      },
      {
        clientId: otherClient.id,
        clientName: 'Mobile App',
        scopes: ['invoices.write'],
        createdAt: clock.now(),
        updatedAt: clock.now(),
      },
    ].sort((a, b) => (a.clientId < b.clientId ? -1 : 1))
    expect(await server.listConsents('user-1')).toEqual(expected)
    expect(await server.listConsents('user-3')).toEqual([])
  })

  it('a client revoked since then takes its consents with it: it is no longer listed', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    await server.revokeClient(client.id)
    expect(await server.listConsents('user-1')).toEqual([])
  })
})
