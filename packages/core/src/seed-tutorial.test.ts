import { describe, expect, it } from 'vitest'
import { webCrypto } from './crypto/web-crypto.js'
import type { OAuthEvent } from './domain/events.js'
import { s256Challenge } from './domain/pkce.js'
import { OAuthError } from './errors/oauth-error.js'
import { createMemoryStorage } from './memory/create-memory-storage.js'
import { createAuthorizationServer } from './server/create-authorization-server.js'
import { createFakeClock } from './testing/fake-clock.js'

const REDIRECT = 'https://client.example.com/callback'

function setUp() {
  const events: OAuthEvent[] = []
  const clock = createFakeClock()
  const server = createAuthorizationServer({
    issuer: 'https://auth.example.com',
    storage: createMemoryStorage(),
    crypto: webCrypto({ keys: [{ id: 'k1', secret: 'x'.repeat(32) }] }),
    clock,
    eventPublisher: { publish: async (batch) => void events.push(...batch) },
  })
  return { server, events, clock }
}

describe('the seed tutorial, end to end on in-memory ports', () => {
  it('creates a client, authorizes with PKCE, exchanges, refreshes, revokes, and guards a route', async () => {
    const { server, events } = setUp()
    const { client, plaintextSecret } = await server.createClient({
      name: 'ERP Connector',
      redirectUris: [REDIRECT],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: ['invoices.read', 'invoices.write'],
      confidential: true,
    })
    expect(plaintextSecret).toMatch(/^[0-9a-f]{64}$/)
    const verifier = 'v'.repeat(43)
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: 'invoices.read',
      state: 'xyz',
      code_challenge: await s256Challenge(verifier),
      code_challenge_method: 'S256',
    })
    expect(request.client.name).toBe('ERP Connector')
    const approval = await server.approveAuthorizationRequest(request, 'user-1', {
      scopes: request.scopes,
      claims: {},
      remember: true,
    })
    const redirect = new URL(approval.redirectUrl)
    expect(redirect.searchParams.get('state')).toBe('xyz')
    expect(redirect.searchParams.get('iss')).toBe('https://auth.example.com')
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      true,
    )

    const tokens = await server.issueTokenFromRequest({
      body: {
        grant_type: 'authorization_code',
        client_id: client.id,
        client_secret: plaintextSecret!,
        code: approval.code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
    })
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'invoices.read',
      scopes: ['invoices.read'],
    })
    expect(tokens.access_token.startsWith('spoat_')).toBe(true)

    const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
    expect(principal).toMatchObject({
      clientId: client.id,
      userId: 'user-1',
      grantType: 'authorization_code',
    })
    expect(principal.can('invoices.read')).toBe(true)
    expect(principal.can('invoices.write')).toBe(false)

    const refreshed = await server.issueTokenFromRequest({
      body: {
        grant_type: 'refresh_token',
        client_id: client.id,
        client_secret: plaintextSecret!,
        refresh_token: tokens.refresh_token!,
      },
    })
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)

    await server.revokeToken({ token: refreshed.access_token, hint: 'access_token' })
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${refreshed.access_token}` }),
    ).rejects.toBeInstanceOf(OAuthError)
    expect(events.map((e) => e.type)).toEqual([
      'OAuthClientCreated',
      'OAuthAuthorizationApproved',
      'OAuthTokenIssued',
      'OAuthRefreshTokenRotated',
      'OAuthTokenIssued',
      'OAuthTokenRevoked',
    ])
  })
})
