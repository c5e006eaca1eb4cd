import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, rejectionOf, S256_PKCE } from '../test-support/test-server.js'

describe('rememberConsent', () => {
  it('merges with the consent remembered before: scopes add up, none is lost', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.write'] })
    expect(
      await server.hasConsent({
        user: 'user-1',
        clientId: client.id,
        scopes: ['invoices.read', 'invoices.write'],
      }),
    ).toBe(true)
  })

  it('stores the union of scopes sorted and deduplicated, merges claims, and keeps createdAt', async () => {
    const { server, storage, clock } = createTestServer()
    const client = await createTestClient(server)
    const first = clock.now()
    await server.rememberConsent({
      user: 'user-1',
      clientId: client.id,
      scopes: ['invoices.write', 'invoices.read'],
      claims: { tenant: 'acme', role: 'viewer' },
    })
    clock.advanceMinutes(10)
    await server.rememberConsent({
      user: 'user-1',
      clientId: client.id,
      scopes: ['invoices.read'],
      claims: { role: 'admin' },
    })
    expect(await storage.repositories.consents.find('user-1', client.id)).toEqual({
      userId: 'user-1',
      clientId: client.id,
      scopes: ['invoices.read', 'invoices.write'],
      claims: { tenant: 'acme', role: 'admin' },
      createdAt: first,
      updatedAt: clock.now(),
    })
  })

  it('approving with remember merges with an earlier remembered consent', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.write'] })
    const request = await server.validateAuthorizationRequest({
      response_type: 'code',
      client_id: client.id,
      scope: 'invoices.read',
      ...S256_PKCE,
    })
    await server.approveAuthorizationRequest(request, 'user-1', { remember: true })
    expect(
      await server.hasConsent({
        user: 'user-1',
        clientId: client.id,
        scopes: ['invoices.read', 'invoices.write'],
      }),
    ).toBe(true)
  })

  it('refuses a user id the application got wrong', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    for (const user of ['', 'a\u0000b', 'x'.repeat(256)]) {
      await expect(
        server.rememberConsent({ user, clientId: client.id, scopes: ['invoices.read'] }),
      ).rejects.toThrow(/user id/)
    }
  })
})

describe('rememberConsent guards', () => {
  it('refuses an unknown or malformed client id, storing nothing', async () => {
    const { server, storage } = createTestServer()
    for (const clientId of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const error = await rejectionOf(
        server.rememberConsent({ user: 'user-1', clientId, scopes: ['invoices.read'] }),
      )
      expect(error).toMatchObject({ code: 'invalid_request' })
    }
    expect(await storage.repositories.consents.find('user-1', 'not-a-uuid')).toBeNull()
  })

  it('refuses a revoked client and scopes the client may not be granted', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tooWide = await rejectionOf(
      server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['admin'] }),
    )
    expect(tooWide).toMatchObject({ code: 'invalid_request' })
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['admin'] })).toBe(false)
    await server.revokeClient(client.id)
    const revoked = await rejectionOf(
      server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] }),
    )
    expect(revoked).toMatchObject({ code: 'invalid_request' })
  })

  it('hasConsent and revokeConsent answer false for a malformed client id without a lookup', async () => {
    const { server } = createTestServer()
    expect(await server.hasConsent({ user: 'user-1', clientId: 'x', scopes: [] })).toBe(false)
    expect(await server.revokeConsent({ user: 'user-1', clientId: 'x' })).toBe(false)
  })
})
