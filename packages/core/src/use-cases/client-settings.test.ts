import { describe, expect, it } from 'vitest'
import type { OAuthError } from '../errors/oauth-error.js'
import { problemsOf, WEB_APP } from '../test-support/client-fixtures.js'
import { createTestServer, obtainTokens, rejectionOf } from '../test-support/test-server.js'
import { basicAuthorization } from '../test-support/token-helpers.js'

describe('tokenEndpointAuthMethod', () => {
  it('a client registered for one secret method is refused with the other; by default either works', async () => {
    const { server, events } = createTestServer()
    const grants = { ...WEB_APP, allowedGrants: ['client_credentials'] as const, redirectUris: [] }
    const basicOnly = await server.createClient({
      name: 'B',
      ...grants,
      tokenEndpointAuthMethod: 'client_secret_basic',
    })
    const postOnly = await server.createClient({
      name: 'P',
      ...grants,
      tokenEndpointAuthMethod: 'client_secret_post',
    })
    const either = await server.createClient({ name: 'E', ...grants })
    expect(either.client.tokenEndpointAuthMethod).toBeNull()
    const byBasic = (created: typeof either) =>
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials' },
        authorization: basicAuthorization(created.client.id, created.plaintextSecret!),
      })
    const byPost = (created: typeof either) =>
      server.issueTokenFromRequest({
        body: {
          grant_type: 'client_credentials',
          client_id: created.client.id,
          client_secret: created.plaintextSecret!,
        },
      })
    await expect(byBasic(basicOnly)).resolves.toHaveProperty('access_token')
    expect(((await rejectionOf(byPost(basicOnly))) as OAuthError).code).toBe('invalid_client')
    expect(events.at(-1)).toMatchObject({ type: 'OAuthClientAuthenticationFailed', reason: 'wrong_method' })
    await expect(byPost(postOnly)).resolves.toHaveProperty('access_token')
    expect(((await rejectionOf(byBasic(postOnly))) as OAuthError).code).toBe('invalid_client')
    // A wrong secret by the wrong method is a wrong secret: the method is judged after the secret,
    // so the answer (and its timing) says nothing about the registered method.
    await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials', client_id: basicOnly.client.id, client_secret: 'wrong' },
      }),
    )
    expect(events.at(-1)).toMatchObject({ type: 'OAuthClientAuthenticationFailed', reason: 'invalid_secret' })
    await expect(byBasic(either)).resolves.toHaveProperty('access_token')
    await expect(byPost(either)).resolves.toHaveProperty('access_token')
  })

  it('a public client is none; none is refused for a confidential client and a secret method for a public one', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({
      name: 'App',
      ...WEB_APP,
      allowedGrants: ['authorization_code'],
      confidential: false,
    })
    expect(client.tokenEndpointAuthMethod).toBe('none')
    expect(
      await problemsOf(
        server.createClient({
          name: 'App',
          ...WEB_APP,
          confidential: false,
          allowedGrants: ['authorization_code'],
          tokenEndpointAuthMethod: 'client_secret_post',
        }),
      ),
    ).toEqual(['tokenEndpointAuthMethod: a public client has no secret: none is its only method'])
    expect(
      await problemsOf(
        server.createClient({ name: 'App', ...WEB_APP, tokenEndpointAuthMethod: 'private_key_jwt' as never }),
      ),
    ).toEqual(['tokenEndpointAuthMethod: must be one of client_secret_basic, client_secret_post, none'])
  })
})

describe('per-client token lifetimes', () => {
  it('a client with shorter lifetimes gets tokens that expire sooner; the server default stays the ceiling', async () => {
    const { server, storage, clock } = createTestServer()
    const { client, plaintextSecret } = await server.createClient({
      name: 'Short',
      ...WEB_APP,
      accessTokenTtlMinutes: 5,
      refreshTokenTtlDays: 2,
    })
    const tokens = await obtainTokens(server, { id: client.id, secret: plaintextSecret })
    expect(tokens.expires_in).toBe(300)
    const now = clock.now().getTime()
    const refresh = (await storage.repositories.refreshTokens.findByHash(
      (
        await server.context.hasher.hash(tokens.refresh_token!)
      ).hash,
    ))!
    expect(refresh.expiresAt.getTime() - now).toBe(2 * 86_400_000)
    expect(
      await problemsOf(
        server.createClient({
          name: 'Long',
          ...WEB_APP,
          refreshTokenTtlDays: 31,
          accessTokenTtlMinutes: 1.5,
        }),
      ),
    ).toEqual([
      "accessTokenTtlMinutes: must be a whole number from 1 to 60 (the server's), or null",
      "refreshTokenTtlDays: must be a whole number from 1 to 30 (the server's), or null",
    ])
  })
})
