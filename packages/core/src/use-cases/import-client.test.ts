import { describe, expect, it } from 'vitest'
import type { Storage } from '../config/options.js'
import type { OAuthError } from '../errors/oauth-error.js'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import { problemsOf, WEB_APP } from '../test-support/client-fixtures.js'
import { createTestServer, REDIRECT_URI, rejectionOf } from '../test-support/test-server.js'
import { basicAuthorization } from '../test-support/token-helpers.js'
import type { ClientImport } from './import-client.js'

/** A Passport client as it comes out of `oauth_clients`: an integer id, a 40-character secret. */
const PASSPORT_CLIENT: ClientImport = {
  id: '7',
  secret: 'Zk3bq9TQ0nqGQ4m1rYcXl2hVt8sWfD6uJp5aEoKi',
  name: 'ERP Connector',
  redirectUris: [REDIRECT_URI],
  allowedGrants: ['authorization_code', 'refresh_token', 'client_credentials'],
  allowedScopes: ['invoices.read'],
  confidential: true,
}

function clientCredentials(id: string, secret: string) {
  return { body: { grant_type: 'client_credentials' }, authorization: basicAuthorization(id, secret) }
}

describe('importClient', () => {
  it('keeps the id and the secret the partner already has: its old credentials get tokens, others do not', async () => {
    const { server } = createTestServer()
    const client = await server.importClient(PASSPORT_CLIENT)
    expect(client).toMatchObject({ id: '7', name: 'ERP Connector', confidential: true })
    const tokens = await server.issueTokenFromRequest(clientCredentials('7', PASSPORT_CLIENT.secret!))
    expect(tokens.access_token).toBeTruthy()
    const wrong = await rejectionOf(
      server.issueTokenFromRequest(clientCredentials('7', `${PASSPORT_CLIENT.secret}x`)),
    )
    expect((wrong as OAuthError).code).toBe('invalid_client')
  })

  it('stores the secret only as its hash under the current key, and reports the import without it', async () => {
    const { server, storage, events } = createTestServer()
    await server.importClient({ ...PASSPORT_CLIENT, createdAt: new Date('2021-03-04T05:06:07Z') })
    const stored = await storage.repositories.clients.findById('7')
    expect(JSON.stringify(stored)).not.toContain(PASSPORT_CLIENT.secret)
    expect(stored).toMatchObject({
      secretHashKeyId: 'k1',
      secretHash: (await server.context.hasher.hash(PASSPORT_CLIENT.secret!)).hash,
      createdAt: new Date('2021-03-04T05:06:07Z'),
      revokedAt: null,
    })
    expect(events.at(-1)).toMatchObject({ type: 'OAuthClientCreated', clientId: '7', confidential: true })
    expect(JSON.stringify(events)).not.toContain(PASSPORT_CLIENT.secret)
  })

  it('imports a public client without a secret, and refuses a secret for one', async () => {
    const { server, storage } = createTestServer()
    const publicClient = {
      ...PASSPORT_CLIENT,
      id: 'mobile-app',
      allowedGrants: ['authorization_code'] as const,
    }
    const { secret: _none, ...withoutSecret } = { ...publicClient, confidential: false }
    await server.importClient(withoutSecret)
    expect(await storage.repositories.clients.findById('mobile-app')).toMatchObject({
      confidential: false,
      secretHash: null,
    })
    expect(
      await problemsOf(server.importClient({ ...publicClient, id: 'other', confidential: false })),
    ).toEqual(['secret: a public client has none'])
  })

  it('names every problem at once, the id and secret with the metadata, and stores nothing', async () => {
    const { server, storage, events } = createTestServer()
    const problems = await problemsOf(
      server.importClient({
        ...PASSPORT_CLIENT,
        id: 'has space',
        secret: 'short',
        name: '',
        createdAt: new Date(Number.NaN),
      }),
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        'name: must be 1-200 characters without control characters',
        'id: must be 1-128 visible ASCII characters, without spaces',
        'secret: a confidential client needs its secret, 16-1024 visible ASCII characters',
        'createdAt: must be a valid Date',
      ]),
    )
    expect(problems).toHaveLength(4)
    expect(await storage.repositories.clients.findById('has space')).toBeNull()
    expect(events).toHaveLength(0)
  })

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['not ASCII', 'clíent'],
    ['a control character', 'client\n'],
    ['not a string', 7 as never],
  ])('refuses an id that is %s', async (_case, id) => {
    const { server } = createTestServer()
    expect(await problemsOf(server.importClient({ ...PASSPORT_CLIENT, id }))).toEqual([
      'id: must be 1-128 visible ASCII characters, without spaces',
    ])
  })

  it('accepts an id of 128 visible characters, quotes and backslashes included', async () => {
    const { server, storage } = createTestServer()
    const id = `"a\\b'${'z'.repeat(123)}`
    expect(id).toHaveLength(128)
    await server.importClient({ ...PASSPORT_CLIENT, id })
    expect((await storage.repositories.clients.findById(id))?.id).toBe(id)
    const tokens = await server.issueTokenFromRequest(clientCredentials(id, PASSPORT_CLIENT.secret!))
    expect(
      (await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })).clientId,
    ).toBe(id)
  })

  it('refuses an id already taken, by a live or a revoked client, and leaves that client as it was', async () => {
    const { server, storage, events } = createTestServer()
    await server.importClient(PASSPORT_CLIENT)
    const before = await storage.repositories.clients.findById('7')
    const eventsBefore = events.length
    expect(
      await problemsOf(
        server.importClient({ ...PASSPORT_CLIENT, secret: 'another-secret-of-enough-length' }),
      ),
    ).toEqual(['id: a client with this id already exists'])
    await server.revokeClient('7')
    expect(await problemsOf(server.importClient(PASSPORT_CLIENT))).toEqual([
      'id: a client with this id already exists',
    ])
    const after = await storage.repositories.clients.findById('7')
    expect(after).toMatchObject({ secretHash: before!.secretHash, name: before!.name })
    expect(events.slice(eventsBefore).map((event) => event.type)).toEqual(['OAuthClientRevoked'])
  })

  it('of concurrent imports of one id exactly one wins; the others are told the id is taken', async () => {
    const { server } = createTestServer()
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) =>
        server.importClient({ ...PASSPORT_CLIENT, name: `ERP ${index}` }),
      ),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    for (const result of results) {
      if (result.status === 'rejected')
        expect((result.reason as OAuthError).description).toBe('id: a client with this id already exists')
    }
  })

  it('a loser whose unit of work did not see the winner (a stale snapshot) fails on the key, and is told the id is taken', async () => {
    const storage = createMemoryStorage()
    const staleSnapshot: Storage = {
      repositories: storage.repositories,
      unitOfWork: {
        run: (work) =>
          storage.unitOfWork.run((repositories) =>
            work({ ...repositories, clients: { ...repositories.clients, findById: async () => null } }),
          ),
      },
    }
    const { server } = createTestServer({ storage: staleSnapshot })
    await server.importClient(PASSPORT_CLIENT)
    const error = await rejectionOf(server.importClient({ ...PASSPORT_CLIENT, name: 'Second' }))
    expect(error).toMatchObject({
      code: 'invalid_request',
      description: 'id: a client with this id already exists',
    })
    expect((await storage.repositories.clients.findById('7'))?.name).toBe('ERP Connector')
  })

  it('a storage failure that is not about the id reaches the caller as it is', async () => {
    const storage = createMemoryStorage()
    const failing: Storage = {
      repositories: storage.repositories,
      unitOfWork: {
        run: () => Promise.reject(new Error('connection reset')),
      },
    }
    const { server } = createTestServer({ storage: failing })
    expect((await rejectionOf(server.importClient(PASSPORT_CLIENT))).message).toBe('connection reset')
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
