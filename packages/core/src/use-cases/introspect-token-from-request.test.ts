import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, obtainTokens } from '../test-support/test-server.js'
import { basicAuthorization, oauthErrorOf } from '../test-support/token-helpers.js'

describe('introspectTokenFromRequest (the introspection endpoint, RFC 7662 §2)', () => {
  it("introspects another client's access token for a client registered as a resource server", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const resourceServer = await createTestClient(server, { resourceServer: true })
    const tokens = await obtainTokens(server, client)
    const response = await server.introspectTokenFromRequest({
      authorization: basicAuthorization(resourceServer.id, resourceServer.secret!),
      body: { token: tokens.access_token, token_type_hint: 'access_token' },
    })
    expect(response).toMatchObject({ active: true, client_id: client.id, scope: 'invoices.read' })
  })

  it('requires client authentication', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    for (const request of [
      { body: { token: tokens.access_token } },
      { body: { client_id: client.id, token: tokens.access_token } },
      { body: { client_id: client.id, client_secret: 'wrong', token: tokens.access_token } },
      { authorization: basicAuthorization(client.id, 'wrong'), body: { token: tokens.access_token } },
    ]) {
      const error = await oauthErrorOf(server.introspectTokenFromRequest(request))
      expect(error.code).toBe('invalid_client')
      expect(error.status).toBe(401)
    }
  })

  it('refuses a public client: its id is no secret, so it would let anyone read any token', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const mobile = await createTestClient(server, { confidential: false })
    const tokens = await obtainTokens(server, client)
    const error = await oauthErrorOf(
      server.introspectTokenFromRequest({ body: { client_id: mobile.id, token: tokens.access_token } }),
    )
    expect(error).toMatchObject({ code: 'invalid_client', status: 401, challenge: 'Basic' })
  })

  // A client that is not a resource server sees another client's access token, and any other
  // client's refresh token, as unknown; its own it sees active.
  it.each([
    ['an access token', 'access_token', 'Bearer'],
    ['a refresh token', 'refresh_token', 'refresh_token'],
  ] as const)(
    'shows %s to the client it was issued to, and { active: false } to another client',
    async (_kind, hint, tokenType) => {
      const { server } = createTestServer()
      const client = await createTestClient(server)
      const other = await createTestClient(server)
      const tokens = await obtainTokens(server, client)
      const body = {
        token: hint === 'access_token' ? tokens.access_token : tokens.refresh_token!,
        token_type_hint: hint,
      }
      expect(
        await server.introspectTokenFromRequest({
          authorization: basicAuthorization(other.id, other.secret!),
          body,
        }),
      ).toStrictEqual({ active: false })
      expect(
        await server.introspectTokenFromRequest({
          authorization: basicAuthorization(client.id, client.secret!),
          body,
        }),
      ).toMatchObject({ active: true, client_id: client.id, token_type: tokenType })
    },
  )

  it('an unknown token is { active: false }; a missing one is invalid_request', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const credentials = { client_id: client.id, client_secret: client.secret! }
    expect(
      await server.introspectTokenFromRequest({ body: { ...credentials, token: 'unknown-token' } }),
    ).toStrictEqual({ active: false })
    expect((await oauthErrorOf(server.introspectTokenFromRequest({ body: credentials }))).code).toBe(
      'invalid_request',
    )
  })
})
