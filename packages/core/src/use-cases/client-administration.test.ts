import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import {
  createTestClient,
  createTestServer,
  obtainTokens,
  REDIRECT_URI,
  refreshBody,
  rejectionOf,
} from '../test-support/test-server.js'
import { basicAuthorization } from '../test-support/token-helpers.js'
import type { ClientImport } from './import-client.js'

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  expect((error as OAuthError).code).toBe('invalid_request')
  return ((error as OAuthError).description ?? '').split('; ')
}

const WEB_APP = {
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token'] as const,
  allowedScopes: ['invoices.read', 'invoices.write'],
  confidential: true,
}

describe('getClient', () => {
  it('returns the client without any secret or hash, revoked ones too; null for an unknown or impossible id', async () => {
    const { server } = createTestServer()
    const { client, plaintextSecret } = await server.createClient({ name: 'ERP', ...WEB_APP })
    const found = await server.getClient(client.id)
    expect(found).toEqual(client)
    expect(JSON.stringify(found)).not.toContain(plaintextSecret)
    expect(Object.keys(found!)).not.toContain('secretHash')
    await server.revokeClient(client.id)
    expect((await server.getClient(client.id))?.revokedAt).toBeInstanceOf(Date)
    expect(await server.getClient('00000000-0000-4000-8000-000000000000')).toBeNull()
    expect(await server.getClient('has space')).toBeNull()
  })
})

describe('listClients', () => {
  async function registered(count: number) {
    const test = createTestServer()
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      test.clock.advanceSeconds(1)
      ids.push((await test.server.createClient({ name: `Client ${i}`, ...WEB_APP })).client.id)
    }
    return { ...test, ids }
  }

  it('pages through every client in registration order, each once, with a cursor that ends with null', async () => {
    const { server, ids } = await registered(7)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await server.listClients({ cursor, limit: 3 })
      seen.push(...page.clients.map((client) => client.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null)
    expect(seen).toEqual(ids)
    expect(pages).toBe(3)
    // A page that ends exactly at the last client says so.
    expect((await server.listClients({ limit: 7 })).nextCursor).toBeNull()
  })

  it('a client registered while paging appears once, at the end', async () => {
    const { server, ids, clock } = await registered(4)
    const first = await server.listClients({ limit: 2 })
    clock.advanceSeconds(1)
    const late = (await server.createClient({ name: 'Late', ...WEB_APP })).client.id
    const rest = await server.listClients({ cursor: first.nextCursor, limit: 10 })
    expect([...first.clients, ...rest.clients].map((client) => client.id)).toEqual([...ids, late])
  })

  it('leaves revoked clients out unless asked, and searches names and id prefixes ignoring case', async () => {
    const { server, ids } = await registered(3)
    await server.revokeClient(ids[1]!)
    expect((await server.listClients()).clients.map((client) => client.id)).toEqual([ids[0], ids[2]])
    expect((await server.listClients({ includeRevoked: true })).clients).toHaveLength(3)
    expect((await server.listClients({ search: '  CLIENT 2 ' })).clients.map((client) => client.id)).toEqual([
      ids[2],
    ])
    expect((await server.listClients({ search: ids[0]!.slice(0, 8).toUpperCase() })).clients[0]?.id).toBe(
      ids[0],
    )
    expect((await server.listClients({ search: '' })).clients).toHaveLength(2)
  })

  it('names every bad option; a cursor it did not give is refused', async () => {
    const { server } = await registered(1)
    const problems = await problemsOf(
      server.listClients({ limit: 0, includeRevoked: 'yes' as never, search: 'a\u0000', cursor: 'page-2' }),
    )
    expect(problems).toEqual([
      'limit: must be a whole number from 1 to 1000',
      'includeRevoked: must be true or false',
      'search: must be text of at most 200 characters without control characters',
      'cursor: not a cursor listClients gave',
    ])
    for (const cursor of ['c1.x.id', 'c1.1.', 'c1.1.has space', 'c2.1.id']) {
      expect(await problemsOf(server.listClients({ cursor }))).toEqual([
        'cursor: not a cursor listClients gave',
      ])
    }
    await expect(server.listClients({ limit: 1001 })).rejects.toThrow(/limit/)
  })
})

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
})

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

describe('checkClientImport', () => {
  const IMPORT: ClientImport = {
    id: 'erp-7',
    secret: 'Zk3bq9TQ0nqGQ4m1rYcXl2hVt8sWfD6u',
    name: 'ERP',
    ...WEB_APP,
  }

  it('says what importClient would refuse, a taken id included, and writes nothing', async () => {
    const { server, events } = createTestServer()
    expect(await server.checkClientImport(IMPORT)).toEqual([])
    expect(await server.getClient('erp-7')).toBeNull()
    expect(events).toHaveLength(0)
    expect(await server.checkClientImport({ ...IMPORT, id: 'has space', secret: 'short', name: '' })).toEqual(
      [
        'name: must be 1-200 characters without control characters',
        'id: must be 1-128 visible ASCII characters, without spaces',
        'secret: a confidential client needs its secret, 16-1024 visible ASCII characters',
      ],
    )
    await server.importClient(IMPORT)
    expect(await server.checkClientImport(IMPORT)).toEqual(['id: a client with this id already exists'])
    expect(await server.checkClientImport(null as never)).toEqual(['input: must be an object'])
  })
})
