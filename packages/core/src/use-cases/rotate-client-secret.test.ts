import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { createTestClient, createTestServer, rejectionOf } from '../test-support/test-server.js'

function clientCredentials(server: AuthorizationServer, clientId: string, secret: string) {
  return server.issueTokenFromRequest({
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
  })
}

async function oauthCode(promise: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  return (error as OAuthError).code
}

describe('rotateClientSecret', () => {
  it('the old secret stops working at the token endpoint at once; the new one works', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'], redirectUris: [] })
    await clientCredentials(server, client.id, client.secret!)
    const { plaintextSecret } = await server.rotateClientSecret(client.id)
    expect(await oauthCode(clientCredentials(server, client.id, client.secret!))).toBe('invalid_client')
    const tokens = await clientCredentials(server, client.id, plaintextSecret)
    expect(tokens.token_type).toBe('Bearer')
  })

  it('the old secret stops working with HTTP Basic too', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'], redirectUris: [] })
    await server.rotateClientSecret(client.id)
    const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64')
    const error = await rejectionOf(
      server.issueTokenFromRequest({
        body: { grant_type: 'client_credentials' },
        authorization: `Basic ${basic}`,
      }),
    )
    expect(error).toMatchObject({ code: 'invalid_client', challenge: 'Basic' })
  })

  it('returns a new secret of 64 lowercase hex characters, stored only as a hash', async () => {
    const { server, storage } = createTestServer()
    const client = await createTestClient(server)
    const before = await storage.repositories.clients.findById(client.id)
    const { plaintextSecret } = await server.rotateClientSecret(client.id)
    expect(plaintextSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(plaintextSecret).not.toBe(client.secret)
    const after = await storage.repositories.clients.findById(client.id)
    expect(after!.secretHash).not.toBe(before!.secretHash)
    expect(JSON.stringify(after)).not.toContain(plaintextSecret)
  })

  it('publishes OAuthClientSecretRotated, with no secret', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    events.length = 0
    const { plaintextSecret } = await server.rotateClientSecret(client.id)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'OAuthClientSecretRotated', clientId: client.id })
    expect(JSON.stringify(events)).not.toContain(plaintextSecret)
  })

  it('refuses a public client, which has no secret', async () => {
    const { server, storage } = createTestServer()
    const client = await createTestClient(server, { confidential: false })
    expect(await oauthCode(server.rotateClientSecret(client.id))).toBe('invalid_request')
    expect((await storage.repositories.clients.findById(client.id))!.secretHash).toBeNull()
  })

  it.each([
    ['an unknown client', '00000000-0000-4000-8000-000000000000'],
    ['a malformed client id', 'not-a-client'],
  ])('refuses %s', async (_what, clientId) => {
    const { server, events } = createTestServer()
    expect(await oauthCode(server.rotateClientSecret(clientId))).toBe('invalid_request')
    expect(events).toEqual([])
  })

  it('refuses a revoked client', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.revokeClient(client.id)
    expect(await oauthCode(server.rotateClientSecret(client.id))).toBe('invalid_request')
  })
})
