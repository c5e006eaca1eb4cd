import { describe, expect } from 'vitest'
import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import {
  awkwardClaims,
  awkwardText,
  awkwardUserId,
  expectReadWithClient,
  farFuture,
  forEachAccessMode,
  forEachConcurrentMode,
  inParallel,
  minutesLater,
  nonNull,
  scribble,
  storeClient,
  swapCase,
  type Use,
} from './contract-support.js'
import { buildAuthorizationCodeRecord, instantAfter, randomHash } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** Stores a client and a code of it. */
async function storeCode(
  use: Use,
  overrides: Partial<AuthorizationCodeRecord> = {},
): Promise<AuthorizationCodeRecord> {
  const clientId = overrides.clientId ?? (await storeClient(use)).id
  const code = buildAuthorizationCodeRecord({ ...overrides, clientId })
  await use((r) => r.authorizationCodes.insert(code))
  return code
}

/** A code with every field set to something a careless storage would mangle. */
function awkwardCode(clientId: string): AuthorizationCodeRecord {
  return buildAuthorizationCodeRecord({
    clientId,
    userId: awkwardUserId(),
    redirectUri: `https://client.example.com/${awkwardText(1000 - 27)}`,
    redirectUriExplicit: false,
    scopes: ['profile', 'openid', 'email'],
    claims: awkwardClaims(),
    codeChallenge: 'A-b.c_d~'.repeat(16),
    codeChallengeMethod: 'plain',
    createdAt: instantAfter(1),
    expiresAt: farFuture(),
  })
}

/**
 * The contract of `AuthorizationCodeRepository`: round trips of every field, lookups by exact
 * (case-sensitive) hash, duplicate hashes, `consume` (once, whatever the expiry),
 * `deleteByClient` and `deleteByUser` (one client or all, exact user ids), and 50 concurrent `consume` calls of which exactly one gets the code. Each test
 * runs through `storage.repositories`, through a unit of work per call, and inside one unit of work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @see RFC 6749 §4.1.2 (a code is used once)
 */
export function authorizationCodeRepositoryContract(factory: StorageFactory): void {
  describe('AuthorizationCodeRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test, mode) => {
      test('insert then findByHash: every field comes back equal (unicode, nested claims, array order, ms dates)', async (use) => {
        const client = await storeClient(use)
        const code = awkwardCode(client.id)
        await use((r) => r.authorizationCodes.insert(code))
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(code)
      })

      test('insert then findByHash: a code without PKCE comes back with a null challenge and method', async (use) => {
        const code = await storeCode(use, { codeChallenge: null, codeChallengeMethod: null, scopes: [] })
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(code)
      })

      test('findByHashWithClient (optional): the client as findById gives it (revoked too) with the code as findByHash gives it; no code for another client, an unknown hash, other letter case; null for an unknown client', async (use) => {
        const client = await storeClient(use)
        const code = awkwardCode(client.id)
        await use((r) => r.authorizationCodes.insert(code))
        await use((r) => r.authorizationCodes.consume(code.codeHash, minutesLater(3)))
        await expectReadWithClient(
          use,
          { hash: code.codeHash, record: code },
          (r, hash, clientId) => r.authorizationCodes.findByHashWithClient?.(hash, clientId),
          (r, hash) => r.authorizationCodes.findByHash(hash),
        )
      })

      test('findByHash: an unknown hash gives null', async (use) => {
        await storeCode(use)
        expect(await use((r) => r.authorizationCodes.findByHash(randomHash()))).toBeNull()
      })

      test('findByHash: hashes differing only in letter case are different codes', async (use) => {
        const code = await storeCode(use, { codeHash: `aZ${randomHash()}` })
        expect(await use((r) => r.authorizationCodes.findByHash(swapCase(code.codeHash)))).toBeNull()
        const twin = await storeCode(use, { codeHash: swapCase(code.codeHash), clientId: code.clientId })
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(code)
        expect(await use((r) => r.authorizationCodes.findByHash(twin.codeHash))).toEqual(twin)
      })

      test('the stored code does not change when the caller changes the objects it passed or got', async (use) => {
        const client = await storeClient(use)
        const code = awkwardCode(client.id)
        const expected = structuredClone(code)
        await use((r) => r.authorizationCodes.insert(code))
        scribble(code)
        scribble(await use((r) => r.authorizationCodes.findByHash(expected.codeHash)))
        const now = minutesLater(3)
        scribble(await use((r) => r.authorizationCodes.consume(expected.codeHash, now)))
        scribble(now)
        expect(await use((r) => r.authorizationCodes.findByHash(expected.codeHash))).toEqual({
          ...expected,
          consumedAt: minutesLater(3),
        })
      })

      if (mode.survivesErrors) {
        test('insert: a second code with the same hash is rejected, and the first one is kept', async (use) => {
          const code = await storeCode(use)
          const impostor = buildAuthorizationCodeRecord({ codeHash: code.codeHash, clientId: code.clientId })
          await expect(use((r) => r.authorizationCodes.insert(impostor))).rejects.toThrow()
          expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(code)
        })
      }

      test('consume: returns the code with consumedAt = now and every other field unchanged', async (use) => {
        const client = await storeClient(use)
        const code = awkwardCode(client.id)
        const other = await storeCode(use, { clientId: client.id })
        await use((r) => r.authorizationCodes.insert(code))
        const now = minutesLater(3)
        const consumed = await use((r) => r.authorizationCodes.consume(code.codeHash, now))
        expect(consumed).toEqual({ ...code, consumedAt: now })
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(consumed)
        expect(await use((r) => r.authorizationCodes.findByHash(other.codeHash))).toEqual(other)
      })

      test('consume: a second consume gives null and keeps the first consumption time', async (use) => {
        const code = await storeCode(use)
        expect(await use((r) => r.authorizationCodes.consume(code.codeHash, minutesLater(3)))).not.toBeNull()
        expect(await use((r) => r.authorizationCodes.consume(code.codeHash, minutesLater(4)))).toBeNull()
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual({
          ...code,
          consumedAt: minutesLater(3),
        })
      })

      test('consume: an unknown hash gives null', async (use) => {
        expect(await use((r) => r.authorizationCodes.consume(randomHash(), minutesLater(3)))).toBeNull()
      })

      test('consume: does not look at expiry (an expired code is still consumed once)', async (use) => {
        const code = await storeCode(use, { expiresAt: minutesLater(5) })
        const now = minutesLater(60)
        expect(await use((r) => r.authorizationCodes.consume(code.codeHash, now))).toEqual({
          ...code,
          consumedAt: now,
        })
      })

      test("deleteByClient: deletes the client's unconsumed codes and returns how many; keeps consumed codes and other clients' codes", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const doomed = [
          await storeCode(use, { clientId: client.id }),
          await storeCode(use, { clientId: client.id }),
        ]
        const used = await storeCode(use, { clientId: client.id })
        const consumed = await use((r) => r.authorizationCodes.consume(used.codeHash, minutesLater(1)))
        const others = await storeCode(use, { clientId: otherClient.id })
        expect(await use((r) => r.authorizationCodes.deleteByClient(client.id))).toBe(2)
        for (const code of doomed) {
          expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toBeNull()
        }
        expect(await use((r) => r.authorizationCodes.findByHash(used.codeHash))).toEqual(consumed)
        expect(await use((r) => r.authorizationCodes.findByHash(others.codeHash))).toEqual(others)
      })

      test("deleteByUser: with a client id, deletes that user's unconsumed codes of that client only; without, of every client; exact user ids; idempotent", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const userId = awkwardUserId()
        const mine = [
          await storeCode(use, { clientId: client.id, userId }),
          await storeCode(use, { clientId: client.id, userId }),
        ]
        const used = await storeCode(use, { clientId: client.id, userId })
        const consumed = await use((r) => r.authorizationCodes.consume(used.codeHash, minutesLater(1)))
        const elsewhere = await storeCode(use, { clientId: otherClient.id, userId })
        const otherUser = await storeCode(use, { clientId: client.id, userId: swapCase(userId) })
        expect(await use((r) => r.authorizationCodes.deleteByUser(userId, client.id))).toBe(2)
        for (const code of mine)
          expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toBeNull()
        expect(await use((r) => r.authorizationCodes.findByHash(used.codeHash))).toEqual(consumed)
        expect(await use((r) => r.authorizationCodes.findByHash(elsewhere.codeHash))).toEqual(elsewhere)
        expect(await use((r) => r.authorizationCodes.findByHash(otherUser.codeHash))).toEqual(otherUser)
        expect(await use((r) => r.authorizationCodes.deleteByUser(userId, client.id))).toBe(0)
        expect(await use((r) => r.authorizationCodes.deleteByUser(userId, null))).toBe(1)
        expect(await use((r) => r.authorizationCodes.findByHash(elsewhere.codeHash))).toBeNull()
        expect(await use((r) => r.authorizationCodes.findByHash(otherUser.codeHash))).toEqual(otherUser)
        expect(await use((r) => r.authorizationCodes.deleteByUser(userId, null))).toBe(0)
      })

      test('deleteByClient: a second call deletes nothing and returns 0 (idempotent)', async (use) => {
        const code = await storeCode(use)
        expect(await use((r) => r.authorizationCodes.deleteByClient(code.clientId))).toBe(1)
        expect(await use((r) => r.authorizationCodes.deleteByClient(code.clientId))).toBe(0)
        const lonely = await storeClient(use)
        expect(await use((r) => r.authorizationCodes.deleteByClient(lonely.id))).toBe(0)
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('consume: of 50 concurrent callers exactly one gets the code, the rest null', async (use) => {
        const code = await storeCode(use)
        const results = await inParallel(50, (i) =>
          use((r) => r.authorizationCodes.consume(code.codeHash, instantAfter(60_000 + i))),
        )
        const winners = nonNull(results)
        expect(winners).toHaveLength(1)
        expect(winners[0]?.consumedAt).not.toBeNull()
        expect(await use((r) => r.authorizationCodes.findByHash(code.codeHash))).toEqual(winners[0])
      })

      test('insert: of 10 concurrent inserts of one hash exactly one succeeds', async (use) => {
        const client = await storeClient(use)
        const codeHash = randomHash()
        const candidates = Array.from({ length: 10 }, () =>
          buildAuthorizationCodeRecord({ codeHash, clientId: client.id }),
        )
        const outcomes = await Promise.allSettled(
          candidates.map((code) => use((r) => r.authorizationCodes.insert(code))),
        )
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
        const winner = candidates[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')]
        expect(await use((r) => r.authorizationCodes.findByHash(codeHash))).toEqual(winner)
      })
    })
  })
}
