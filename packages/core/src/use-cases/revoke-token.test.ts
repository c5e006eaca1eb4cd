import { describe, expect, it } from 'vitest'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { createTestClient, createTestServer, obtainTokens, refreshBody } from '../test-support/test-server.js'
import { oauthErrorOf } from '../test-support/token-helpers.js'

async function bearerError(server: AuthorizationServer, token: string): Promise<string> {
  return (await oauthErrorOf(server.authenticateBearer({ authorization: `Bearer ${token}` }))).code
}

describe('revokeToken (RFC 7009)', () => {
  it('revoking a refresh token revokes its whole family, access tokens included', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const first = await obtainTokens(server, client)
    const second = await server.issueTokenFromRequest({ body: refreshBody(client, first.refresh_token!) })

    expect(await server.revokeToken({ token: second.refresh_token!, hint: 'refresh_token' })).toBe(true)
    expect(await bearerError(server, first.access_token)).toBe('invalid_token')
    expect(await bearerError(server, second.access_token)).toBe('invalid_token')
    const refresh = await oauthErrorOf(
      server.issueTokenFromRequest({ body: refreshBody(client, second.refresh_token!) }),
    )
    expect(refresh.code).toBe('invalid_grant')
  })

  it('revoking a refresh token leaves other grants alone', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const revoked = await obtainTokens(server, client)
    const kept = await obtainTokens(server, client)
    await server.revokeToken({ token: revoked.refresh_token! })
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${kept.access_token}` }),
    ).resolves.toBeDefined()
  })

  it('revoking an access token revokes it alone: the refresh token keeps working', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: tokens.access_token, hint: 'access_token' })).toBe(true)
    expect(await bearerError(server, tokens.access_token)).toBe('invalid_token')
    const refreshed = await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${refreshed.access_token}` }),
    ).resolves.toMatchObject({ clientId: client.id })
  })

  it('the hint is only a hint: a wrong hint still revokes', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: tokens.access_token, hint: 'refresh_token' })).toBe(true)
    expect(await bearerError(server, tokens.access_token)).toBe('invalid_token')

    const other = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: other.refresh_token!, hint: 'access_token' })).toBe(true)
    expect(await bearerError(server, other.access_token)).toBe('invalid_token')

    const third = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: third.access_token, hint: 'no_such_hint' })).toBe(true)
  })

  it('an unknown, malformed or already revoked token is no error', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: `spoat_${'A'.repeat(43)}` })).toBe(false)
    expect(await server.revokeToken({ token: 'garbage' })).toBe(false)
    expect(await server.revokeToken({ token: tokens.access_token })).toBe(true)
    const revokedEvents = events.filter((event) => event.type === 'OAuthTokenRevoked').length
    expect(await server.revokeToken({ token: tokens.access_token })).toBe(false)
    expect(events.filter((event) => event.type === 'OAuthTokenRevoked')).toHaveLength(revokedEvents)
  })

  it('a token of another client is unauthorized_client and stays valid', async () => {
    const { server } = createTestServer()
    const owner = await createTestClient(server)
    const other = await createTestClient(server)
    const tokens = await obtainTokens(server, owner)
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const error = await oauthErrorOf(server.revokeToken({ token, clientId: other.id }))
      expect(error.code).toBe('unauthorized_client')
    }
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    ).resolves.toMatchObject({ clientId: owner.id })
    expect(await server.revokeToken({ token: tokens.access_token, clientId: owner.id })).toBe(true)
  })

  it('publishes OAuthTokenRevoked, without the token', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    const start = events.length
    await server.revokeToken({ token: tokens.access_token })
    await server.revokeToken({ token: tokens.refresh_token! })
    expect(events.slice(start)).toEqual([
      expect.objectContaining({ type: 'OAuthTokenRevoked', clientId: client.id, tokenType: 'access_token' }),
      expect.objectContaining({ type: 'OAuthTokenRevoked', clientId: client.id, tokenType: 'refresh_token' }),
    ])
    const serialized = JSON.stringify(events)
    expect(serialized).not.toContain(tokens.access_token)
    expect(serialized).not.toContain(tokens.refresh_token!)
  })

  it('revokes JWT access tokens too', async () => {
    const { server } = createTestServer({ accessTokenFormat: 'jwt' })
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    expect(await server.revokeToken({ token: tokens.access_token })).toBe(true)
    expect(await bearerError(server, tokens.access_token)).toBe('invalid_token')
  })
})
