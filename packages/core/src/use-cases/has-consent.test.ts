import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTestClient, createTestServer } from '../test-support/test-server.js'

const SCOPES = ['invoices.read', 'invoices.write', 'profile', 'email'] as const

describe('hasConsent', () => {
  it('is false when the user never consented', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
    expect(await server.hasConsent({ user: 'user-1', clientId: client.id, scopes: [] })).toBe(false)
  })

  it('is true only when every requested scope is remembered', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    const has = (scopes: readonly string[]) =>
      server.hasConsent({ user: 'user-1', clientId: client.id, scopes })
    expect(await has(['invoices.read'])).toBe(true)
    expect(await has([])).toBe(true)
    expect(await has(['invoices.write'])).toBe(false)
    expect(await has(['invoices.read', 'invoices.write'])).toBe(false)
  })

  it('holds exactly when the requested scopes are a subset of the remembered ones', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedScopes: [...SCOPES] })
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...SCOPES], { minLength: 1 }),
        fc.subarray([...SCOPES]),
        fc.uuid({ version: 4 }),
        async (remembered, requested, userId) => {
          await server.rememberConsent({ user: userId, clientId: client.id, scopes: remembered })
          const expected = requested.every((scope) => remembered.includes(scope))
          expect(await server.hasConsent({ user: userId, clientId: client.id, scopes: requested })).toBe(
            expected,
          )
        },
      ),
      { numRuns: 50 },
    )
  })

  it('is specific to the user and the client', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const other = await createTestClient(server)
    await server.rememberConsent({ user: 'user-1', clientId: client.id, scopes: ['invoices.read'] })
    expect(await server.hasConsent({ user: 'user-2', clientId: client.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
    expect(await server.hasConsent({ user: 'user-1', clientId: other.id, scopes: ['invoices.read'] })).toBe(
      false,
    )
  })

  it('takes a user object with a numeric id as the same user as its string id', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    await server.rememberConsent({ user: { id: 42 }, clientId: client.id, scopes: ['invoices.read'] })
    expect(await server.hasConsent({ user: '42', clientId: client.id, scopes: ['invoices.read'] })).toBe(true)
  })
})
