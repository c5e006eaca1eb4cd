import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, obtainTokens, refreshBody } from '../test-support/test-server.js'
import { basicAuthorization, oauthErrorOf } from '../test-support/token-helpers.js'

describe('revokeTokenFromRequest (the revocation endpoint, RFC 7009 §2)', () => {
  it('revokes a token of the authenticated client', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    await server.revokeTokenFromRequest({
      authorization: basicAuthorization(client.id, client.secret!),
      body: { token: tokens.refresh_token!, token_type_hint: 'refresh_token' },
    })
    const error = await oauthErrorOf(
      server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) }),
    )
    expect(error.code).toBe('invalid_grant')
  })

  it('a public client revokes its own tokens with client_id alone', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { confidential: false })
    const tokens = await obtainTokens(server, client)
    await server.revokeTokenFromRequest({ body: { client_id: client.id, token: tokens.access_token } })
    const error = await oauthErrorOf(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    )
    expect(error.code).toBe('invalid_token')
  })

  it('an unknown token is no error: the call resolves', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await expect(
      server.revokeTokenFromRequest({
        body: { client_id: client.id, client_secret: client.secret!, token: `spoat_${'Z'.repeat(43)}` },
      }),
    ).resolves.toBeUndefined()
  })

  it('a token of another client is unauthorized_client', async () => {
    const { server } = createTestServer()
    const owner = await createTestClient(server)
    const other = await createTestClient(server)
    const tokens = await obtainTokens(server, owner)
    const error = await oauthErrorOf(
      server.revokeTokenFromRequest({
        body: { client_id: other.id, client_secret: other.secret!, token: tokens.access_token },
      }),
    )
    expect(error.code).toBe('unauthorized_client')
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    ).resolves.toMatchObject({ clientId: owner.id })
  })

  it('requires client authentication', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    for (const body of [
      { token: tokens.access_token },
      { client_id: client.id, token: tokens.access_token },
      { client_id: client.id, client_secret: 'wrong', token: tokens.access_token },
    ]) {
      expect((await oauthErrorOf(server.revokeTokenFromRequest({ body }))).code).toBe('invalid_client')
    }
    await expect(
      server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` }),
    ).resolves.toBeDefined()
  })

  it('a missing token parameter is invalid_request', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const error = await oauthErrorOf(
      server.revokeTokenFromRequest({ body: { client_id: client.id, client_secret: client.secret! } }),
    )
    expect(error.code).toBe('invalid_request')
  })
})
