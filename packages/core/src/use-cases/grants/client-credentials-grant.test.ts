import { describe, expect, it } from 'vitest'
import type { AuthorizationServer } from '../../server/create-authorization-server.js'
import { createTestClient, createTestServer, type TestClient } from '../../test-support/test-server.js'
import { insertClient, oauthErrorOf } from '../../test-support/token-helpers.js'

function clientCredentials(
  server: AuthorizationServer,
  client: TestClient,
  extra: Record<string, string> = {},
) {
  return server.issueTokenFromRequest({
    body: {
      grant_type: 'client_credentials',
      client_id: client.id,
      ...(client.secret ? { client_secret: client.secret } : {}),
      ...extra,
    },
  })
}

describe('clientCredentialsGrant', () => {
  it('issues an access token without a refresh token, even to a client allowed refresh_token', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server, {
      allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
    })
    const tokens = await clientCredentials(server, client)
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    expect(tokens).not.toHaveProperty('refresh_token')
    expect(events.at(-1)).toMatchObject({
      type: 'OAuthTokenIssued',
      clientId: client.id,
      userId: null,
      grantType: 'client_credentials',
      refreshTokenId: null,
      familyId: null,
    })
  })

  it('the principal has the client, no user, and the client_credentials grant', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const tokens = await clientCredentials(server, client, { scope: 'invoices.read' })
    const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
    expect(principal).toMatchObject({
      clientId: client.id,
      userId: null,
      grantType: 'client_credentials',
      scopes: ['invoices.read'],
      claims: {},
    })
  })

  it('without a scope parameter the client gets all its allowed scopes when no defaults are set', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, {
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.write', 'invoices.read'],
    })
    const tokens = await clientCredentials(server, client)
    expect(tokens.scopes).toEqual(['invoices.read', 'invoices.write'])
    expect(tokens.scope).toBe('invoices.read invoices.write')
  })

  it('without a scope parameter the client gets defaultScopes ∩ its allowed scopes', async () => {
    const { server } = createTestServer({ defaultScopes: ['invoices.read', 'reports.read'] })
    const client = await createTestClient(server, {
      allowedGrants: ['client_credentials'],
      allowedScopes: ['invoices.read', 'invoices.write'],
    })
    expect((await clientCredentials(server, client)).scopes).toEqual(['invoices.read'])
  })

  it('when the default scopes leave nothing for the client, a scope must be asked for', async () => {
    const { server } = createTestServer({ defaultScopes: ['reports.read'] })
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    expect((await oauthErrorOf(clientCredentials(server, client))).code).toBe('invalid_scope')
    await expect(clientCredentials(server, client, { scope: 'invoices.write' })).resolves.toMatchObject({
      scopes: ['invoices.write'],
    })
  })

  it('a scope beyond the allowed ones, or a malformed one, is invalid_scope', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    for (const scope of ['admin', 'invoices.read admin', 'invoices.read  invoices.write', 'bad"scope']) {
      expect((await oauthErrorOf(clientCredentials(server, client, { scope }))).code, scope).toBe(
        'invalid_scope',
      )
    }
  })

  it('is for confidential clients only: a public client is unauthorized_client', async () => {
    const { server } = createTestServer()
    // createClient refuses this shape, so it is stored by hand: the grant must refuse it on its own.
    const publicClient = await insertClient(server, { secret: null, allowedGrants: ['client_credentials'] })
    const error = await oauthErrorOf(clientCredentials(server, { id: publicClient.id, secret: null }))
    expect(error.code).toBe('unauthorized_client')
  })

  it('a wrong secret is invalid_client', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    const error = await oauthErrorOf(clientCredentials(server, { id: client.id, secret: 'f'.repeat(64) }))
    expect(error.code).toBe('invalid_client')
  })
})
