import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { webCrypto } from '../crypto/web-crypto.js'
import { ConfigurationError } from '../errors/configuration-error.js'
import { SpOAuthError } from '../errors/sp-oauth-error.js'
import { createMemoryStorage, type MemoryStorage } from '../memory/create-memory-storage.js'
import type { AuthorizationServer } from '../server/create-authorization-server.js'
import {
  createTestClient,
  createTestServer,
  rejectionOf,
  type TestClient,
} from '../test-support/test-server.js'
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

/** `storage` with a counter of `signingKeys.listByState` reads through `storage.repositories`. */
function countingKeyReads(storage: MemoryStorage): { readonly storage: MemoryStorage; reads: () => number } {
  let reads = 0
  const signingKeys = storage.repositories.signingKeys
  return {
    storage: {
      ...storage,
      repositories: {
        ...storage.repositories,
        signingKeys: {
          ...signingKeys,
          listByState: (states) => {
            reads++
            return signingKeys.listByState(states)
          },
        },
      },
    },
    reads: () => reads,
  }
}

describe('private signing keys are stored encrypted', () => {
  const OTHER_HASH_KEYS = { keys: [{ id: 'k2', secret: 'another-hash-key-0123456789abcdef01234567' }] }

  it('the stored key holds no private member, only AES-GCM ciphertext under a named key-encryption key', async () => {
    const { server, storage, client } = await jwtServer()
    const kid = kidOf(await issue(server, client))
    const stored = (await storage.repositories.signingKeys.findByKid(kid))!
    for (const member of PRIVATE_JWK_MEMBERS) expect(stored.privateJwk).not.toHaveProperty(member)
    expect(stored.privateJwk).toEqual({
      enc: 'A256GCM',
      kek: 'hashKeys:k1',
      iv: expect.any(String),
      ct: expect.any(String),
    })
    const clear = await server.context.signingKeyEncryption.decrypt(kid, stored.privateJwk)
    expect(clear).toHaveProperty('d')
    expect(JSON.stringify(stored)).not.toContain(String(clear.d))
  })

  it('after a restart with the same configuration, old tokens verify and new ones are signed with the same key', async () => {
    const { server, storage, clock, client } = await jwtServer()
    const token = await issue(server, client)
    const restarted = createTestServer({ storage, clock, accessTokenFormat: 'jwt' }).server
    await expect(bearer(restarted, token)).resolves.toMatchObject({ clientId: client.id })
    const next = await issue(restarted, client)
    expect(kidOf(next)).toBe(kidOf(token))
    await expect(bearer(server, next)).resolves.toMatchObject({ clientId: client.id })
  })

  it('without the key-encryption key, signing fails with a ConfigurationError naming it (verifying still works)', async () => {
    const { server, storage, clock, client } = await jwtServer()
    const token = await issue(server, client)
    const stranger = createTestServer({
      storage,
      clock,
      accessTokenFormat: 'jwt',
      crypto: webCrypto(OTHER_HASH_KEYS),
    }).server
    const error = await rejectionOf(stranger.context.signingKeys.activeKey())
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error.message).toContain('hashKeys:k1')
    await expect(bearer(stranger, token)).resolves.toMatchObject({ clientId: client.id })
  })

  it('a ciphertext moved to another kid does not decrypt (the kid is authenticated data)', async () => {
    const { server, storage, client } = await jwtServer()
    const kid = kidOf(await issue(server, client))
    const stored = (await storage.repositories.signingKeys.findByKid(kid))!
    const error = await rejectionOf(
      server.context.signingKeyEncryption.decrypt('another-kid', stored.privateJwk),
    )
    expect(error).toBeInstanceOf(SpOAuthError)
  })

  it('own signingKeyEncryption keys: keys under the derived KEK still load; reencryptSigningKeys moves them; the hash key can then go', async () => {
    const { server, storage, clock, client } = await jwtServer()
    const token = await issue(server, client)
    const kid = kidOf(token)
    const kek = { keys: [{ id: 'kek-1', secret: 'key-encryption-key-0123456789abcdef0123' }] }
    const withOwn = createTestServer({
      storage,
      clock,
      accessTokenFormat: 'jwt',
      signingKeyEncryption: kek,
    }).server
    expect(kidOf(await issue(withOwn, client))).toBe(kid)
    expect(await withOwn.reencryptSigningKeys()).toEqual({ reencrypted: 1 })
    expect(await withOwn.reencryptSigningKeys()).toEqual({ reencrypted: 0 })
    expect((await storage.repositories.signingKeys.findByKid(kid))!.privateJwk).toMatchObject({
      kek: 'kek-1',
    })
    const newHashKeys = createTestServer({
      storage,
      clock,
      accessTokenFormat: 'jwt',
      crypto: webCrypto(OTHER_HASH_KEYS),
      signingKeyEncryption: kek,
    }).server
    // (Client secrets were hashed with k1, so sign through the key cache rather than a token request.)
    expect(await newHashKeys.context.signingKeys.activeKey()).toMatchObject({
      kid,
      privateJwk: { d: expect.any(String) },
    })
  })

  it('a key stored in clear before encryption existed still signs, and reencryptSigningKeys encrypts it', async () => {
    const { server, storage, client } = await jwtServer()
    await server.rotateSigningKey()
    const [stored] = await storage.repositories.signingKeys.listByState(['active'])
    const clear = await server.context.signingKeyEncryption.decrypt(stored!.kid, stored!.privateJwk)
    await storage.unitOfWork.run((r) => r.signingKeys.updatePrivateJwk(stored!.kid, clear))
    const restarted = createTestServer({ storage, accessTokenFormat: 'jwt' }).server
    expect(kidOf(await issue(restarted, client))).toBe(stored!.kid)
    expect(await restarted.reencryptSigningKeys()).toEqual({ reencrypted: 1 })
    const after = (await storage.repositories.signingKeys.findByKid(stored!.kid))!
    expect(after.privateJwk).not.toHaveProperty('d')
    expect(after.updatedAt).toEqual(stored!.updatedAt)
  })

  it('invalid signingKeyEncryption keys are a ConfigurationError naming the setting', () => {
    const attempt = () =>
      createTestServer({ signingKeyEncryption: { keys: [{ id: 'short', secret: 'too short' }] } })
    expect(attempt).toThrow(ConfigurationError)
    expect(attempt).toThrow(/signingKeyEncryption\.keys\[0\]\.secret/)
  })
})

describe('JWKS from the signing-key cache', () => {
  it('N JWKS requests within the cache lifetime read the storage once', async () => {
    const counting = countingKeyReads(createMemoryStorage())
    const { server } = createTestServer({ storage: counting.storage, accessTokenFormat: 'jwt' })
    await server.rotateSigningKey()
    const before = counting.reads()
    for (let i = 0; i < 20; i++) await server.getJwks()
    expect(counting.reads() - before).toBe(1)
  })

  it('after a rotation through this instance, the new key is published at once', async () => {
    const counting = countingKeyReads(createMemoryStorage())
    const { server } = createTestServer({ storage: counting.storage, accessTokenFormat: 'jwt' })
    const first = await server.rotateSigningKey()
    expect((await server.getJwks()).keys.map((key) => key.kid)).toEqual([first.kid])
    const second = await server.rotateSigningKey()
    expect((await server.getJwks()).keys.map((key) => key.kid).sort()).toEqual([first.kid, second.kid].sort())
  })

  it('reloads once the cache lifetime has passed (a key made on another instance shows within it)', async () => {
    const counting = countingKeyReads(createMemoryStorage())
    const { server, clock } = createTestServer({ storage: counting.storage, accessTokenFormat: 'jwt' })
    await server.getJwks()
    const other = createTestServer({ storage: counting.storage, clock, accessTokenFormat: 'jwt' }).server
    const made = await other.rotateSigningKey()
    expect((await server.getJwks()).keys).toEqual([])
    clock.advanceSeconds(30)
    expect((await server.getJwks()).keys.map((key) => key.kid)).toEqual([made.kid])
  })
})
