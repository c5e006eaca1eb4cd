import { describe, expect, it } from 'vitest'
import type { Storage } from '../../config/options.js'
import { webCrypto } from '../../crypto/web-crypto.js'
import { createMemoryStorage } from '../../memory/create-memory-storage.js'
import type { Repositories } from '../../ports/unit-of-work.js'
import { createAuthorizationServer } from '../../server/create-authorization-server.js'
import {
  authorize,
  codeExchangeBody,
  createTestClient,
  createTestServer,
  HASH_SECRET,
  ISSUER,
  refreshBody,
} from '../../test-support/test-server.js'
import { oauthErrorOf } from '../../test-support/token-helpers.js'

/** `storage` with every repository call counted by `repository.method`. */
function counted(storage: Storage): { readonly storage: Storage; readonly calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const repositories = Object.fromEntries(
    Object.entries(storage.repositories).map(([name, repository]) => [
      name,
      Object.fromEntries(
        Object.entries(repository as Record<string, (...args: unknown[]) => unknown>).map(
          ([method, call]) => [
            method,
            (...args: unknown[]) => {
              calls.set(`${name}.${method}`, (calls.get(`${name}.${method}`) ?? 0) + 1)
              return call(...args)
            },
          ],
        ),
      ),
    ]),
  ) as unknown as Repositories
  return { storage: { ...storage, repositories }, calls }
}

/** `storage` with `change` applied to its (plain) repositories. */
function withRepositories(storage: Storage, change: (repositories: Repositories) => Repositories): Storage {
  return { ...storage, repositories: change(storage.repositories) }
}

describe('the token endpoint reads the client with the code or refresh token', () => {
  it('a code exchange and a rotation each read client and credential once, together, when the storage can', async () => {
    const { storage, calls } = counted(createMemoryStorage())
    const { server } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    calls.clear()
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
    expect(calls.get('authorizationCodes.findByHashWithClient')).toBe(1)
    expect(calls.get('clients.findById')).toBeUndefined()
    expect(calls.get('authorizationCodes.findByHash')).toBeUndefined()

    calls.clear()
    await server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) })
    expect(calls.get('refreshTokens.findByHashWithClient')).toBe(1)
    expect(calls.get('clients.findById')).toBeUndefined()
    expect(calls.get('refreshTokens.findByHash')).toBeUndefined()
  })

  it('a storage without findByHashWithClient: the client, then the credential, with the same answers', async () => {
    const { storage, calls } = counted(
      withRepositories(createMemoryStorage(), (repositories) => {
        const { findByHashWithClient: _code, ...authorizationCodes } = repositories.authorizationCodes
        const { findByHashWithClient: _token, ...refreshTokens } = repositories.refreshTokens
        return { ...repositories, authorizationCodes, refreshTokens }
      }),
    )
    const { server } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    calls.clear()
    const tokens = await server.issueTokenFromRequest({ body: codeExchangeBody(client, code, verifier) })
    expect(calls.get('clients.findById')).toBe(1)
    expect(calls.get('authorizationCodes.findByHash')).toBe(1)
    await expect(
      server.issueTokenFromRequest({ body: refreshBody(client, tokens.refresh_token!) }),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('a made-up client id, or a made-up code of a real client, costs one read', async () => {
    const { storage, calls } = counted(createMemoryStorage())
    const { server } = createTestServer({ storage })
    const client = await createTestClient(server)
    const { verifier } = await authorize(server, client)
    const attempts = [
      {
        body: { ...codeExchangeBody(client, 'made-up-code', verifier), client_id: crypto.randomUUID() },
        error: 'invalid_client',
        read: 'authorizationCodes.findByHashWithClient',
      },
      {
        body: codeExchangeBody(client, 'made-up-code', verifier),
        error: 'invalid_grant',
        read: 'authorizationCodes.findByHashWithClient',
      },
      {
        body: refreshBody(client, 'made-up-refresh-token'),
        error: 'invalid_grant',
        read: 'refreshTokens.findByHashWithClient',
      },
    ]
    for (const { body, error, read } of attempts) {
      calls.clear()
      expect((await oauthErrorOf(server.issueTokenFromRequest({ body }))).code).toBe(error)
      expect([...calls.entries()]).toEqual([[read, 1]])
    }
  })

  it('a wrong secret with a valid code read along is invalid_client, and the code still redeems', async () => {
    const { server } = createTestServer()
    const client = await createTestClient(server)
    const { code, verifier } = await authorize(server, client)
    const body = codeExchangeBody(client, code, verifier)
    const error = await oauthErrorOf(
      server.issueTokenFromRequest({ body: { ...body, client_secret: 'wrong' } }),
    )
    expect(error.code).toBe('invalid_client')
    await expect(server.issueTokenFromRequest({ body })).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it('a code and a refresh token hashed with an older hash key are still found (the read along tries the current key only)', async () => {
    const storage = createMemoryStorage()
    const older = { id: 'k0', secret: HASH_SECRET }
    const { server: before, clock } = createTestServer({ storage, crypto: webCrypto({ keys: [older] }) })
    const client = await createTestClient(before)
    const first = await authorize(before, client)
    const second = await authorize(before, client)
    const issued = await before.issueTokenFromRequest({
      body: codeExchangeBody(client, first.code, first.verifier),
    })

    const after = createAuthorizationServer({
      issuer: ISSUER,
      storage,
      clock,
      crypto: webCrypto({ keys: [{ id: 'k1', secret: `${HASH_SECRET}-new` }, older], currentKeyId: 'k1' }),
    })
    await expect(
      after.issueTokenFromRequest({ body: codeExchangeBody(client, second.code, second.verifier) }),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
    await expect(
      after.issueTokenFromRequest({ body: refreshBody(client, issued.refresh_token!) }),
    ).resolves.toMatchObject({ token_type: 'Bearer' })
  })

  it("a storage answering with another client's row does not get the request authenticated as that client", async () => {
    const memory = createMemoryStorage()
    const { server: setUp } = createTestServer({ storage: memory })
    const victim = await createTestClient(setUp)
    const claimed = await createTestClient(setUp)
    const { code, verifier } = await authorize(setUp, victim)
    // A faulty storage: the code and client it finds by hash, whoever the request claims to be.
    const storage = withRepositories(memory, (repositories) => ({
      ...repositories,
      authorizationCodes: {
        ...repositories.authorizationCodes,
        findByHashWithClient: async (hash) => {
          const record = await repositories.authorizationCodes.findByHash(hash)
          const client = record && (await repositories.clients.findById(record.clientId))
          return client ? { client, record } : null
        },
      },
    }))
    const { server } = createTestServer({ storage })
    // The victim's secret, under the other client's id.
    const body = { ...codeExchangeBody(victim, code, verifier), client_id: claimed.id }
    const error = await oauthErrorOf(server.issueTokenFromRequest({ body }))
    expect(error.code).toBe('invalid_client')
  })
})
