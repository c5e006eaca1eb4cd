import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../memory/create-memory-storage.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import { createTestClient, createTestServer, type TestClient } from '../test-support/test-server.js'
import { oauthErrorOf } from '../test-support/token-helpers.js'

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

async function issue(server: AuthorizationServer, client: TestClient): Promise<string> {
  const tokens = await server.issueTokenFromRequest({
    body: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! },
  })
  return tokens.access_token
}

function kidOf(token: string): string {
  return decodeProtectedHeader(token).kid!
}

function bearer(server: AuthorizationServer, token: string) {
  return server.authenticateBearer({ authorization: `Bearer ${token}` })
}

async function jwtServer(overrides: Parameters<typeof createTestServer>[0] = {}) {
  const test = createTestServer({ accessTokenFormat: 'jwt', ...overrides })
  const client = await createTestClient(test.server, { allowedGrants: ['client_credentials'] })
  return { ...test, client }
}

describe('signing keys', () => {
  it('a key is generated on first use, and reused after', async () => {
    const { server, client } = await jwtServer()
    expect(await server.listSigningKeys()).toEqual([])
    const first = await issue(server, client)
    const keys = await server.listSigningKeys()
    expect(keys).toEqual([
      expect.objectContaining({ kid: kidOf(first), algorithm: 'ES256', state: 'active' }),
    ])
    expect(kidOf(await issue(server, client))).toBe(kidOf(first))
    expect(await server.listSigningKeys()).toHaveLength(1)
  })

  it('opaque access tokens need no key', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server, { allowedGrants: ['client_credentials'] })
    await issue(server, client)
    expect(await server.listSigningKeys()).toEqual([])
  })

  it('after rotateSigningKey, tokens of the previous key still verify and new tokens use the new kid', async () => {
    const { server, client } = await jwtServer()
    const old = await issue(server, client)
    const rotated = await server.rotateSigningKey()
    expect(rotated.state).toBe('active')
    expect(rotated.kid).not.toBe(kidOf(old))
    expect((await server.listSigningKeys()).map((key) => [key.kid, key.state])).toEqual(
      expect.arrayContaining([
        [kidOf(old), 'previous'],
        [rotated.kid, 'active'],
      ]),
    )
    const fresh = await issue(server, client)
    expect(kidOf(fresh)).toBe(rotated.kid)
    await expect(bearer(server, old)).resolves.toMatchObject({ clientId: client.id })
    await expect(bearer(server, fresh)).resolves.toMatchObject({ clientId: client.id })
  })

  it('rotation retires previous keys once every token they signed has expired', async () => {
    const { server, client, clock } = await jwtServer()
    const first = kidOf(await issue(server, client))
    await server.rotateSigningKey()
    clock.advanceMinutes(61)
    await server.rotateSigningKey()
    const states = Object.fromEntries((await server.listSigningKeys()).map((key) => [key.kid, key.state]))
    expect(states[first]).toBe('retired')
  })

  it('retireSigningKey: tokens signed by the key fail; others still verify', async () => {
    const { server, client } = await jwtServer()
    const old = await issue(server, client)
    await server.rotateSigningKey()
    const fresh = await issue(server, client)
    expect((await server.retireSigningKey(kidOf(old))).state).toBe('retired')
    expect((await oauthErrorOf(bearer(server, old))).code).toBe('invalid_token')
    await expect(bearer(server, fresh)).resolves.toMatchObject({ clientId: client.id })
  })

  it('markSigningKeyCompromised: tokens fail at once, and the next token is signed by a new key', async () => {
    const { server, client } = await jwtServer()
    const token = await issue(server, client)
    // Verified once, so the key sits in this instance's cache.
    await bearer(server, token)
    await server.markSigningKeyCompromised(kidOf(token))
    expect((await oauthErrorOf(bearer(server, token))).code).toBe('invalid_token')
    const next = await issue(server, client)
    expect(kidOf(next)).not.toBe(kidOf(token))
    await expect(bearer(server, next)).resolves.toMatchObject({ clientId: client.id })
  })

  it('a key marked compromised on another instance stops verifying within signingKeyCacheSeconds', async () => {
    const storage = createMemoryStorage()
    const a = createTestServer({ storage, accessTokenFormat: 'jwt', jwt: { signingKeyCacheSeconds: 30 } })
    const b = createTestServer({ storage, clock: a.clock, accessTokenFormat: 'jwt' })
    const client = await createTestClient(a.server, { allowedGrants: ['client_credentials'] })
    const token = await issue(a.server, client)
    await bearer(a.server, token)
    await b.server.markSigningKeyCompromised(kidOf(token))
    a.clock.advanceSeconds(30)
    expect((await oauthErrorOf(bearer(a.server, token))).code).toBe('invalid_token')
  })

  it('an unknown kid is invalid_request', async () => {
    const { server } = await jwtServer()
    expect((await oauthErrorOf(server.retireSigningKey('no-such-kid'))).code).toBe('invalid_request')
    expect((await oauthErrorOf(server.markSigningKeyCompromised('no-such-kid'))).code).toBe('invalid_request')
  })

  it.each(['ES256', 'RS256', 'EdDSA'] as const)(
    'getJwks lists the active and previous public keys only, without private members (%s)',
    async (signingAlgorithm) => {
      const { server, client } = await jwtServer({ jwt: { signingAlgorithm } })
      const retired = kidOf(await issue(server, client))
      const compromised = (await server.rotateSigningKey()).kid
      const previous = (await server.rotateSigningKey()).kid
      const active = (await server.rotateSigningKey()).kid
      await server.retireSigningKey(retired)
      await server.markSigningKeyCompromised(compromised)

      const { keys } = await server.getJwks()
      expect(keys.map((key) => key.kid).sort()).toEqual([active, previous].sort())
      for (const key of keys) {
        expect(key).toMatchObject({ alg: signingAlgorithm, use: 'sig', kty: expect.any(String) })
        for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member)
      }
      // Tokens of the new active key verify against the published set.
      const token = await issue(server, client)
      expect(keys.map((key) => key.kid)).toContain(kidOf(token))
      await expect(bearer(server, token)).resolves.toMatchObject({ clientId: client.id })
    },
  )

  it('listSigningKeys never exposes private key material', async () => {
    const { server, client } = await jwtServer()
    await issue(server, client)
    const [key] = await server.listSigningKeys()
    expect(Object.keys(key!).sort()).toEqual(['algorithm', 'createdAt', 'kid', 'state'])
  })
})
