import { describe, expect, it } from 'vitest'
import { webCrypto } from '../crypto/web-crypto.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import type { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { createAuthorizationServer } from '../server/create-authorization-server.js'
import { problemsOf, WEB_APP } from '../test-support/client-fixtures.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  HASH_SECRET,
  ISSUER,
  obtainTokens,
  refreshBody,
  rejectionOf,
} from '../test-support/test-server.js'

describe('updateClient', () => {
  it('changes the fields given, keeps the others, publishes which fields changed (not their values)', async () => {
    const { server, events, clock } = createTestServer()
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP })
    clock.advanceSeconds(60)
    const updated = await server.updateClient(client.id, {
      name: '  ERP Connector v2 ',
      redirectUris: ['https://erp.example.com/callback'],
      allowedScopes: ['invoices.read'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      accessTokenTtlMinutes: 15,
    })
    expect(updated).toEqual({
      ...client,
      name: 'ERP Connector v2',
      redirectUris: ['https://erp.example.com/callback'],
      allowedScopes: ['invoices.read'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      accessTokenTtlMinutes: 15,
      updatedAt: clock.now(),
    })
    expect(await server.getClient(client.id)).toEqual(updated)
    expect(events.at(-1)).toMatchObject({
      type: 'OAuthClientUpdated',
      clientId: client.id,
      changed: ['name', 'redirectUris', 'allowedScopes', 'tokenEndpointAuthMethod', 'accessTokenTtlMinutes'],
    })
    expect(JSON.stringify(events.at(-1))).not.toContain('erp.example.com')
  })

  it('a patch that changes nothing writes nothing and publishes nothing; null puts a lifetime back to the server default', async () => {
    const { server, events } = createTestServer()
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP, refreshTokenTtlDays: 7 })
    const before = events.length
    expect(
      await server.updateClient(client.id, {
        name: 'ERP',
        allowedScopes: ['invoices.write', 'invoices.read'],
      }),
    ).toEqual(client)
    expect(events).toHaveLength(before)
    expect(
      (await server.updateClient(client.id, { refreshTokenTtlDays: null })).refreshTokenTtlDays,
    ).toBeNull()
  })

  it('checks the client as it would be, naming each field, and changes nothing when refused', async () => {
    const { server } = createTestServer({ scopes: ['invoices.read', 'invoices.write'] })
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP })
    expect(
      await problemsOf(
        server.updateClient(client.id, {
          name: '',
          redirectUris: [],
          allowedScopes: ['admin'],
          accessTokenTtlMinutes: 61,
          tokenEndpointAuthMethod: 'none',
        }),
      ),
    ).toEqual([
      'name: must be 1-200 characters without control characters',
      'redirectUris: the authorization_code grant needs at least one',
      'allowedScopes: "admin" is not one of the server\'s scopes',
      'tokenEndpointAuthMethod: a confidential client authenticates with its secret, not none',
      "accessTokenTtlMinutes: must be a whole number from 1 to 60 (the server's), or null",
    ])
    expect(
      await problemsOf(server.updateClient(client.id, { confidential: false, secret: 'x' } as never)),
    ).toEqual([
      'confidential: cannot change (register a new client of the other kind)',
      'secret: not something updateClient changes',
    ])
    expect(await server.getClient(client.id)).toEqual(client)
  })

  it('refuses an unknown or revoked client, naming clientId', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP })
    await server.revokeClient(client.id)
    expect(await problemsOf(server.updateClient(client.id, { name: 'Back' }))).toEqual([
      'clientId: the client is revoked (a revoked client cannot change)',
    ])
    expect(await problemsOf(server.updateClient('nobody', { name: 'X' }))).toEqual([
      'clientId: no client has this id',
    ])
  })

  it('a scope taken away is gone from the next refresh; all of them gone, the refresh is refused', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client, { scope: 'invoices.read invoices.write' })
    await server.updateClient(client.id, { allowedScopes: ['invoices.read'] })
    const refreshed = await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    expect(refreshed.scopes).toEqual(['invoices.read'])
    await server.updateClient(client.id, { allowedScopes: ['profile'] })
    const refused = await rejectionOf(
      server.issueTokenFromRequest({ body: refreshBody(client, refreshed.refresh_token!) }),
    )
    expect((refused as OAuthError).code).toBe('invalid_scope')
    // Refused before rotation: the refresh token still works once the scope is back.
    await server.updateClient(client.id, { allowedScopes: ['invoices.read', 'invoices.write'] })
    const again = await server.issueTokenFromRequest({ body: refreshBody(client, refreshed.refresh_token!) })
    expect(again.scopes).toEqual(['invoices.read', 'invoices.write'])
  })

  it('two updates from the same read both land: the second sees the first and merges, nothing is lost', async () => {
    const { server, events } = createTestServer()
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP })
    const [renamed, narrowed] = await Promise.all([
      server.updateClient(client.id, { name: 'ERP v2' }),
      server.updateClient(client.id, { allowedScopes: ['invoices.read'] }),
    ])
    expect(renamed.updatedAt.getTime()).not.toBe(narrowed.updatedAt.getTime())
    expect(await server.getClient(client.id)).toMatchObject({
      name: 'ERP v2',
      allowedScopes: ['invoices.read'],
    })
    expect(events.filter((event) => event.type === 'OAuthClientUpdated')).toHaveLength(2)
  })

  it('two updates each valid alone but not together: the second is checked again against the first, and refused', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({
      name: 'Service',
      ...WEB_APP,
      allowedGrants: ['client_credentials'],
      redirectUris: ['https://service.example.com/cb'],
    })
    const outcomes = await Promise.allSettled([
      server.updateClient(client.id, { allowedGrants: ['client_credentials', 'authorization_code'] }),
      server.updateClient(client.id, { redirectUris: [] }),
    ])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult
    expect((refused.reason as OAuthError).code).toBe('invalid_request')
    const final = (await server.getClient(client.id))!
    expect(final.allowedGrants.includes('authorization_code') && final.redirectUris.length === 0).toBe(false)
  })

  it('a lifetime above a server ceiling lowered since does not block other changes; setting it is checked', async () => {
    const storage = createMemoryStorage()
    const crypto = webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] })
    const before = createAuthorizationServer({ issuer: ISSUER, storage, crypto })
    const { client } = await before.createClient({ name: 'ERP', ...WEB_APP, accessTokenTtlMinutes: 45 })
    const after = createAuthorizationServer({ issuer: ISSUER, storage, crypto, accessTokenTtlMinutes: 30 })
    expect((await after.updateClient(client.id, { name: 'Renamed' })).accessTokenTtlMinutes).toBe(45)
    expect(await problemsOf(after.updateClient(client.id, { accessTokenTtlMinutes: 40 }))).toEqual([
      "accessTokenTtlMinutes: must be a whole number from 1 to 30 (the server's), or null",
    ])
  })

  it('a storage whose client repository has no update or list: a ConfigurationError saying which', async () => {
    const storage = createMemoryStorage()
    const { update: _update, list: _list, ...clients } = storage.repositories.clients
    const server = createAuthorizationServer({
      issuer: ISSUER,
      storage: { ...storage, repositories: { ...storage.repositories, clients } },
      crypto: webCrypto({ keys: [{ id: 'k1', secret: HASH_SECRET }] }),
    })
    const { client } = await server.createClient({ name: 'ERP', ...WEB_APP })
    await expect(server.updateClient(client.id, { name: 'X' })).rejects.toThrow(
      /storage\.repositories\.clients\.update: updateClient needs it/,
    )
    await expect(server.listClients()).rejects.toThrow(
      /storage\.repositories\.clients\.list: listClients needs it/,
    )
    await expect(server.updateClient(client.id, { name: 'X' })).rejects.toBeInstanceOf(ConfigurationError)
  })

  it('a code issued before the client changed: only the scopes still allowed; a redirect URI removed redeems nothing', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const narrowed = await authorize(server, client, { scope: 'invoices.read invoices.write' })
    await server.updateClient(client.id, { allowedScopes: ['invoices.read'] })
    const tokens = await server.issueTokenFromRequest({
      body: codeExchangeBody(client, narrowed.code, narrowed.verifier),
    })
    expect(tokens.scopes).toEqual(['invoices.read'])
    const refreshed = await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    expect(refreshed.scopes).toEqual(['invoices.read'])

    const moved = await authorize(server, client)
    await server.updateClient(client.id, { redirectUris: ['https://elsewhere.example.com/cb'] })
    const refused = await rejectionOf(
      server.issueTokenFromRequest({ body: codeExchangeBody(client, moved.code, moved.verifier) }),
    )
    expect((refused as OAuthError).code).toBe('invalid_grant')
  })
})
