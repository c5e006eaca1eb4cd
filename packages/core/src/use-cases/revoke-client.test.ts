import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  obtainTokens,
  REDIRECT_URI,
  refreshBody,
  rejectionOf,
} from '../test-support/test-server.js'
import { INJECTED_FAILURE } from '../test-support/token-helpers.js'

async function oauthError(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  return error as OAuthError
}

async function hashOf(server: AuthorizationServer, value: string): Promise<string> {
  return (await server.context.hasher.hash(value)).hash
}

describe('revokeClient', () => {
  it('returns true when it revoked the client, false on the second call', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    expect(await server.revokeClient(client.id)).toBe(true)
    expect(await server.revokeClient(client.id)).toBe(false)
  })

  it('a call that failed once the client was revoked is completed by the next: its tokens are then revoked too', async () => {
    const inner = createMemoryStorage()
    let failCleanup = true
    const storage: Storage = {
      repositories: inner.repositories,
      unitOfWork: {
        run: (work) =>
          inner.unitOfWork.run((repositories) =>
            work({
              ...repositories,
              refreshTokens: {
                ...repositories.refreshTokens,
                revokeByClient: async (clientId, now) => {
                  if (failCleanup) throw new Error(INJECTED_FAILURE)
                  return repositories.refreshTokens.revokeByClient(clientId, now)
                },
              },
            }),
          ),
      },
    }
    const { server } = createTestServer({ storage })
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    await expect(server.revokeClient(client.id)).rejects.toThrow(INJECTED_FAILURE)
    expect((await inner.repositories.clients.findById(client.id))?.revokedAt).not.toBeNull()
    expect(
      (await inner.repositories.refreshTokens.findByHash(await hashOf(server, tokens.refresh_token!)))
        ?.revokedAt,
    ).toBeNull()
    failCleanup = false
    expect(await server.revokeClient(client.id)).toBe(false)
    expect(
      (await inner.repositories.refreshTokens.findByHash(await hashOf(server, tokens.refresh_token!)))
        ?.revokedAt,
    ).not.toBeNull()
  })

  it.each([
    ['an unknown client', '00000000-0000-4000-8000-000000000000'],
    ['a malformed client id', 'not-a-uuid'],
  ])('returns false for %s', async (_what, clientId) => {
    const { server } = createTestServer()
    expect(await server.revokeClient(clientId)).toBe(false)
  })

  it('marks the stored client revoked', async () => {
    const { server, storage, clock } = createTestServer()
    const client = await createTestClient(server)
    clock.advanceMinutes(1)
    await server.revokeClient(client.id)
    expect((await storage.repositories.clients.findById(client.id))!.revokedAt).toEqual(clock.now())
  })

  it('its access tokens stop working: the bearer check answers invalid_token', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    await server.revokeClient(client.id)
    const error = await oauthError(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    )
    expect(error.code).toBe('invalid_token')
  })

  it('its refresh tokens are revoked and refreshing fails', async () => {
    const { server, storage } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    await server.revokeClient(client.id)
    const stored = await storage.repositories.refreshTokens.findByHash(
      await hashOf(server, tokens.refresh_token!),
    )
    expect(stored!.revokedAt).not.toBeNull()
    const error = await oauthError(
      server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) }),
    )
    expect(error.code).toBe('invalid_client')
  })

  it('its unredeemed codes are deleted and exchanging one fails', async () => {
    const { server, storage } = createTestServer()
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    await server.revokeClient(client.id)
    expect(await storage.repositories.authorizationCodes.findByHash(await hashOf(server, code))).toBeNull()
    const error = await oauthError(
      server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) }),
    )
    expect(error.code).toBe('invalid_client')
  })

  it('its remembered consents are forgotten', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    await server.revokeClient(client.id)
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('validateAuthorizationRequest refuses it, without redirecting', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.revokeClient(client.id)
    const error = await oauthError(
      server.validateAuthorizationRequest({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: REDIRECT_URI,
        scope: 'invoices.read',
      }),
    )
    expect(error.code).toBe('invalid_request')
    expect(error.redirect).toBeUndefined()
  })

  it('it can no longer authenticate at the token endpoint', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    await server.revokeClient(client.id)
    const error = await oauthError(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
      }),
    )
    expect(error.code).toBe('invalid_client')
  })

  it("leaves other clients' codes, tokens and consents alone", async () => {
    const { server } = createTestServer()
    const doomed = await createTestClient(server)
    const other = await createTestClient(server)
    const tokens = await obtainTokens(server, other)
    const { code, verifier } = await authorize(server, other)
    await server.rememberConsent({ user: 'user-1', clientId: other.id, scopes: ['invoices.read'] })
    await obtainTokens(server, doomed)
    await server.revokeClient(doomed.id)
    expect(
      (await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })).clientId,
    ).toBe(other.id)
    await server.issueTokenFromRequest({ body: refreshBody(other, tokens.refresh_token!) })
    await server.issueTokenFromRequest({ body: codeExchangeBody(other, code, verifier) })
    expect(await server.hasConsent({ user: 'user-1', clientId: other.id, scopes: ['invoices.read'] })).toBe(
      true,
    )
  })

  it('publishes OAuthClientRevoked once', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    events.length = 0
    await server.revokeClient(client.id)
    await server.revokeClient(client.id)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'OAuthClientRevoked', clientId: client.id })
  })
})
