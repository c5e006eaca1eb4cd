import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer, obtainTokens } from '../test-support/test-server.js'

describe('revokeConsent', () => {
  it('returns true when it forgot a consent, then false', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    expect(await server.revokeConsent({ user: 'user-1', clientId: client.id })).toBe(true)
    expect(await server.revokeConsent({ user: 'user-1', clientId: client.id })).toBe(false)
  })

  it('makes the next authorization ask again: hasConsent is false afterwards', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    await server.revokeConsent({ user: 'user-1', clientId: client.id })
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('publishes OAuthConsentRevoked once, only for the call that forgot the consent', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    events.length = 0
    await server.revokeConsent({ user: 'user-1', clientId: client.id })
    await server.revokeConsent({ user: 'user-1', clientId: client.id })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'OAuthConsentRevoked', clientId: client.id, userId: 'user-1' })
  })

  it('returns false and publishes nothing when there was no consent', async () => {
    const { server, events } = createTestServer()
    const client = await createTestClient(server)
    events.length = 0
    expect(await server.revokeConsent({ user: 'user-1', clientId: client.id })).toBe(false)
    expect(events).toEqual([])
  })

  it("leaves other users' consents and issued tokens alone", async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const tokens = await obtainTokens(server, client)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    await server.rememberConsent({ user: 'user-2', clientId: client.id, scopes: ['invoices.read'] })
    await server.revokeConsent({ user: 'user-1', clientId: client.id })
    expect(await server.hasConsent({ user: 'user-2', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      true,
    )
    const principal = await server.authenticateBearer({ authorization: `Bearer ${tokens.access_token}` })
    expect(principal.userId).toBe('user-1')
  })
})
