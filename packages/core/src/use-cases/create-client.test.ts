import { describe, expect, it } from 'vitest'
import { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { createTestServer, REDIRECT_URI, rejectionOf } from '../test-support/test-server.js'
import type { ClientInput } from './internal/client-input.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The seed's confidential client. */
const ERP: ClientInput = {
  name: 'ERP Connector',
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token'],
  allowedScopes: ['invoices.read', 'invoices.write'],
  confidential: true,
}

async function invalidRequest(promise: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OAuthError)
  expect((error as OAuthError).code).toBe('invalid_request')
  return (error as OAuthError).description ?? ''
}

describe('createClient', () => {
  it('gives the client a UUID id', async () => {
    const { server } = createTestServer()
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) {
      const { client } = await server.createClient(ERP)
      expect(client.id).toMatch(UUID_V4)
      ids.add(client.id)
    }
    expect(ids.size).toBe(5)
  })

  it('returns the client as registered', async () => {
    const { server, clock } = createTestServer()
    const { client } = await server.createClient(ERP)
    expect(client).toEqual({
      id: client.id,
      name: 'ERP Connector',
      redirectUris: [REDIRECT_URI],
      allowedGrants: ['authorization_code', 'refresh_token'],
      allowedScopes: ['invoices.read', 'invoices.write'],
      confidential: true,
      applicationType: 'web',
      silentConsent: true,
      resourceServer: false,
      tokenEndpointAuthMethod: null,
      accessTokenTtlMinutes: null,
      refreshTokenTtlDays: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      revokedAt: null,
    })
  })

  it("registers a resource server (may introspect other clients' tokens) only as a confidential client", async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({ ...ERP, resourceServer: true })
    expect(client.resourceServer).toBe(true)
    const description = await invalidRequest(
      server.createClient({ ...ERP, confidential: false, resourceServer: true }),
    )
    expect(description).toContain('resourceServer: needs a confidential client')
  })

  it('defaults: application type web; silent consent true for a confidential client, false for a public one', async () => {
    const { server } = createTestServer()
    const confidential = await server.createClient(ERP)
    expect(confidential.client).toMatchObject({ applicationType: 'web', silentConsent: true })
    const publicClient = await server.createClient({ ...ERP, confidential: false })
    expect(publicClient.client).toMatchObject({ applicationType: 'web', silentConsent: false })
    const stored = await server.context.storage.repositories.clients.findById(publicClient.client.id)
    expect(stored).toMatchObject({ applicationType: 'web', silentConsent: false })
  })

  it('keeps an explicit application type and silent consent', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({
      ...ERP,
      redirectUris: ['http://127.0.0.1/callback'],
      confidential: false,
      applicationType: 'native',
      silentConsent: true,
    })
    expect(client).toMatchObject({ applicationType: 'native', silentConsent: true })
  })

  it('refuses an unknown application type or a non-boolean silentConsent', async () => {
    const { server } = createTestServer()
    const description = await invalidRequest(
      server.createClient({
        ...ERP,
        applicationType: 'desktop' as never,
        silentConsent: 'yes' as never,
      }),
    )
    expect(description).toContain('applicationType: must be one of web, native')
    expect(description).toContain('silentConsent: must be true or false')
  })

  it('gives a confidential client a secret of 64 lowercase hex characters', async () => {
    const { server } = createTestServer()
    const secrets = new Set<string>()
    for (let i = 0; i < 5; i++) {
      const { plaintextSecret } = await server.createClient(ERP)
      expect(plaintextSecret).toMatch(/^[0-9a-f]{64}$/)
      secrets.add(plaintextSecret!)
    }
    expect(secrets.size).toBe(5)
  })

  it('stores the secret only as a hash: no field of the stored client holds it', async () => {
    const { server, storage } = createTestServer()
    const { client, plaintextSecret } = await server.createClient(ERP)
    const stored = await storage.repositories.clients.findById(client.id)
    expect(stored).not.toBeNull()
    expect(stored!.secretHash).toEqual(expect.any(String))
    expect(stored!.secretHash).not.toBe(plaintextSecret)
    expect(stored!.secretHashKeyId).toBe('k1')
    for (const [field, value] of Object.entries(stored!)) {
      expect(JSON.stringify(value) ?? '', field).not.toContain(plaintextSecret!)
    }
    expect(JSON.stringify(stored)).not.toContain(plaintextSecret!)
    expect(
      await server.context.hasher.verify(plaintextSecret!, {
        hash: stored!.secretHash!,
        keyId: stored!.secretHashKeyId!,
      }),
    ).toBe(true)
  })

  it('returns the secret once: the returned client and every event leave it out', async () => {
    const { server, events } = createTestServer()
    const { client, plaintextSecret } = await server.createClient(ERP)
    expect(JSON.stringify(client)).not.toContain(plaintextSecret!)
    expect(Object.keys(client)).not.toContain('secretHash')
    expect(JSON.stringify(events)).not.toContain(plaintextSecret!)
  })

  it('gives a public client no secret', async () => {
    const { server, storage } = createTestServer()
    const { client, plaintextSecret } = await server.createClient({
      ...ERP,
      name: 'Mobile App',
      confidential: false,
    })
    expect(plaintextSecret).toBeNull()
    const stored = await storage.repositories.clients.findById(client.id)
    expect(stored).toMatchObject({ confidential: false, secretHash: null, secretHashKeyId: null })
  })

  it('publishes OAuthClientCreated, with no secret', async () => {
    const { server, events } = createTestServer()
    const { client, plaintextSecret } = await server.createClient(ERP)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'OAuthClientCreated',
      clientId: client.id,
      name: 'ERP Connector',
      confidential: true,
    })
    expect(events[0]!.id).toMatch(UUID_V4)
    expect(JSON.stringify(events)).not.toContain(plaintextSecret!)
  })

  it('publishes OAuthClientCreated only once the client is committed: a failed insert publishes nothing', async () => {
    const inner = createMemoryStorage()
    const { server, events } = createTestServer({
      storage: {
        repositories: inner.repositories,
        unitOfWork: {
          run: (work) =>
            inner.unitOfWork.run((repositories) =>
              work({
                ...repositories,
                clients: {
                  ...repositories.clients,
                  insert: async () => {
                    throw new Error('disk full')
                  },
                },
              }),
            ),
        },
      },
    })
    const error = await rejectionOf(server.createClient(ERP))
    expect(error.message).toBe('disk full')
    expect(events).toEqual([])
  })

  it('lists every metadata problem together in one invalid_request, and stores nothing', async () => {
    const { server, events } = createTestServer()
    const description = await invalidRequest(
      server.createClient({
        name: '  ',
        redirectUris: ['http://client.example.com/cb', 'https://client.example.com/cb#frag', 'javascript:x'],
        allowedGrants: ['authorization_code', 'password' as never],
        allowedScopes: ['invoices read', 'ok'],
        confidential: 'yes' as never,
      }),
    )
    for (const fragment of [
      'name:',
      'redirectUris[0]:',
      'redirectUris[1]:',
      'redirectUris[2]:',
      'allowedGrants: "password" is not supported',
      'allowedScopes: "invoices read" is not a valid scope',
      'confidential:',
    ]) {
      expect(description).toContain(fragment)
    }
    expect(description).not.toContain('"ok"')
    expect(events).toEqual([])
  })

  it.each([
    ['an empty name', { name: '' }, 'name:'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name:'],
    ['a name with a control character', { name: 'ERP\nConnector' }, 'name:'],
    ['no grant', { allowedGrants: [] }, 'allowedGrants:'],
    ['refresh_token without authorization_code', { allowedGrants: ['refresh_token'] }, 'refresh_token needs'],
    ['authorization_code without redirect URI', { redirectUris: [] }, 'redirectUris:'],
    ['an http redirect URI', { redirectUris: ['http://client.example.com/cb'] }, 'redirectUris[0]:'],
    ['a relative redirect URI', { redirectUris: ['/callback'] }, 'redirectUris[0]:'],
    ['a redirect URI with a fragment', { redirectUris: ['https://c.example.com/cb#x'] }, 'redirectUris[0]:'],
    ['a dangerous redirect URI scheme', { redirectUris: ['data:text/html,hi'] }, 'redirectUris[0]:'],
    ['a redirect URI with a newline', { redirectUris: ['https://c.example.com/cb\n'] }, 'redirectUris[0]:'],
    ['a malformed scope', { allowedScopes: ['a"b'] }, 'allowedScopes:'],
    ['a resourceServer that is not a boolean', { resourceServer: 'yes' }, 'resourceServer: must be'],
  ] as const)('refuses %s', async (_what, change, fragment) => {
    const { server } = createTestServer()
    const description = await invalidRequest(server.createClient({ ...ERP, ...change } as ClientInput))
    expect(description).toContain(fragment)
  })

  it('accepts loopback http and private-use scheme redirect URIs of a public client', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({
      ...ERP,
      confidential: false,
      redirectUris: ['http://127.0.0.1:51234/cb', 'com.example.app:/callback'],
    })
    expect(client.redirectUris).toEqual(['http://127.0.0.1:51234/cb', 'com.example.app:/callback'])
  })

  it('allows client_credentials only to a confidential client', async () => {
    const { server } = createTestServer()
    const description = await invalidRequest(
      server.createClient({ ...ERP, allowedGrants: ['client_credentials'], confidential: false }),
    )
    expect(description).toContain('client_credentials needs a confidential client')
    const { client } = await server.createClient({
      ...ERP,
      redirectUris: [],
      allowedGrants: ['client_credentials'],
    })
    expect(client.allowedGrants).toEqual(['client_credentials'])
  })

  it("allows only the server's scopes when the server names its scopes", async () => {
    const { server } = createTestServer({ scopes: ['invoices.read', 'invoices.write'] })
    const description = await invalidRequest(
      server.createClient({ ...ERP, allowedScopes: ['invoices.read', 'payroll.read'] }),
    )
    expect(description).toContain('"payroll.read" is not one of the server\'s scopes')
    expect((await server.createClient(ERP)).client.allowedScopes).toEqual(['invoices.read', 'invoices.write'])
  })

  it('allows any well-formed scope when the server names no scopes', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({ ...ERP, allowedScopes: ['payroll.read'] })
    expect(client.allowedScopes).toEqual(['payroll.read'])
  })

  it('normalizes the metadata: trimmed name, no duplicate URIs or grants, sorted scopes', async () => {
    const { server } = createTestServer()
    const { client } = await server.createClient({
      name: '  ERP Connector  ',
      redirectUris: [REDIRECT_URI, REDIRECT_URI],
      allowedGrants: ['authorization_code', 'authorization_code'],
      allowedScopes: ['invoices.write', 'invoices.read', 'invoices.write'],
      confidential: true,
    })
    expect(client).toMatchObject({
      name: 'ERP Connector',
      redirectUris: [REDIRECT_URI],
      allowedGrants: ['authorization_code'],
      allowedScopes: ['invoices.read', 'invoices.write'],
    })
  })
})
