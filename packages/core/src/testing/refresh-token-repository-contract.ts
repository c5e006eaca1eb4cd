import { describe, expect } from 'vitest'
import type { RefreshTokenRecord } from '../domain/refresh-token.js'
import {
  awkwardClaims,
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
import {
  buildAccessTokenRecord,
  buildRefreshTokenRecord,
  instantAfter,
  randomHash,
  randomUuid,
} from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** Stores a refresh token (and a client for it, unless `clientId` is given). */
async function storeRefreshToken(
  use: Use,
  overrides: Partial<RefreshTokenRecord> = {},
): Promise<RefreshTokenRecord> {
  const clientId = overrides.clientId ?? (await storeClient(use)).id
  const token = buildRefreshTokenRecord({ ...overrides, clientId })
  await use((r) => r.refreshTokens.insert(token))
  return token
}

/** Stores a child of `parent`: same family, client, user and scopes, created `minutes` later. */
async function storeChild(
  use: Use,
  parent: RefreshTokenRecord,
  minutes: number,
): Promise<RefreshTokenRecord> {
  return storeRefreshToken(use, {
    familyId: parent.familyId,
    parentId: parent.id,
    clientId: parent.clientId,
    userId: parent.userId,
    scopes: parent.scopes,
    familyCreatedAt: parent.familyCreatedAt,
    createdAt: minutesLater(minutes),
    expiresAt: minutesLater(minutes + 60),
  })
}

/**
 * A child token with every field set to something a careless storage would mangle, with the parent
 * and access token it names stored first (so foreign keys hold).
 */
async function storeAwkwardRefreshToken(use: Use): Promise<RefreshTokenRecord> {
  const client = await storeClient(use)
  const userId = awkwardUserId()
  const parent = await storeRefreshToken(use, { clientId: client.id, userId })
  const accessToken = buildAccessTokenRecord({ clientId: client.id, userId, familyId: parent.familyId })
  await use((r) => r.accessTokens.insert(accessToken))
  const token = buildRefreshTokenRecord({
    familyId: parent.familyId,
    parentId: parent.id,
    clientId: client.id,
    userId,
    scopes: ['profile', 'openid', 'email'],
    claims: awkwardClaims(),
    accessTokenId: accessToken.id,
    familyCreatedAt: instantAfter(1),
    createdAt: instantAfter(999),
    expiresAt: farFuture(),
  })
  await use((r) => r.refreshTokens.insert(token))
  return token
}

/**
 * The contract of `RefreshTokenRepository`: round trips of every field, lookups by exact hash,
 * duplicates, `findByParentId` (the newest child, in any state), `markRotated` (once, never when
 * revoked), `revoke`, `revokeFamily`, `revokeByClient` and `revokeByUser` with their counts and
 * idempotence, 50
 * concurrent `markRotated` and 20 concurrent `revoke` calls of which exactly one wins. Each test
 * runs through `storage.repositories`, through a unit of work per call, and inside one unit of work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @see RFC 9700 §4.14.2 (refresh token rotation)
 */
export function refreshTokenRepositoryContract(factory: StorageFactory): void {
  describe('RefreshTokenRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test, mode) => {
      test('insert then findByHash: every field comes back equal (unicode, nested claims, array order, ms dates)', async (use) => {
        const token = await storeAwkwardRefreshToken(use)
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(token)
      })

      test('insert then findByHash: a token with no user, parent, access token or scopes comes back equal', async (use) => {
        const token = await storeRefreshToken(use, { userId: null, scopes: [] })
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(token)
      })

      test('findByHashWithClient (optional): the client as findById gives it (revoked too) with the token as findByHash gives it; no token for another client, an unknown hash, other letter case; null for an unknown client', async (use) => {
        const token = await storeAwkwardRefreshToken(use)
        await use((r) => r.refreshTokens.markRotated(token.tokenHash, minutesLater(3)))
        await expectReadWithClient(
          use,
          { hash: token.tokenHash, record: token },
          (r, hash, clientId) => r.refreshTokens.findByHashWithClient?.(hash, clientId),
          (r, hash) => r.refreshTokens.findByHash(hash),
        )
      })

      test('findByHash: an unknown hash gives null', async (use) => {
        await storeRefreshToken(use)
        expect(await use((r) => r.refreshTokens.findByHash(randomHash()))).toBeNull()
      })

      test('findByHash: hashes differing only in letter case are different tokens', async (use) => {
        const token = await storeRefreshToken(use, { tokenHash: `aZ${randomHash()}` })
        expect(await use((r) => r.refreshTokens.findByHash(swapCase(token.tokenHash)))).toBeNull()
        const twin = await storeRefreshToken(use, {
          tokenHash: swapCase(token.tokenHash),
          clientId: token.clientId,
        })
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(token)
        expect(await use((r) => r.refreshTokens.findByHash(twin.tokenHash))).toEqual(twin)
      })

      test('the stored token does not change when the caller changes the objects it passed or got', async (use) => {
        const client = await storeClient(use)
        const token = buildRefreshTokenRecord({ clientId: client.id, claims: awkwardClaims() })
        const expected = structuredClone(token)
        await use((r) => r.refreshTokens.insert(token))
        scribble(token)
        scribble(await use((r) => r.refreshTokens.findByHash(expected.tokenHash)))
        const now = minutesLater(3)
        scribble(await use((r) => r.refreshTokens.markRotated(expected.tokenHash, now)))
        scribble(now)
        expect(await use((r) => r.refreshTokens.findByHash(expected.tokenHash))).toEqual({
          ...expected,
          rotatedAt: minutesLater(3),
        })
      })

      if (mode.survivesErrors) {
        test('insert: a token with an existing id, or an existing hash, is rejected and the first one is kept', async (use) => {
          const token = await storeRefreshToken(use)
          const sameId = buildRefreshTokenRecord({ id: token.id, clientId: token.clientId })
          const sameHash = buildRefreshTokenRecord({ tokenHash: token.tokenHash, clientId: token.clientId })
          await expect(use((r) => r.refreshTokens.insert(sameId))).rejects.toThrow()
          await expect(use((r) => r.refreshTokens.insert(sameHash))).rejects.toThrow()
          expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(token)
          expect(await use((r) => r.refreshTokens.findByHash(sameId.tokenHash))).toBeNull()
        })
      }

      test('findByParentId: gives the token rotated from the parent; null for a token without children or an unknown id', async (use) => {
        const parent = await storeRefreshToken(use)
        const child = await storeChild(use, parent, 10)
        expect(await use((r) => r.refreshTokens.findByParentId(parent.id))).toEqual(child)
        expect(await use((r) => r.refreshTokens.findByParentId(child.id))).toBeNull()
        expect(await use((r) => r.refreshTokens.findByParentId(randomUuid()))).toBeNull()
      })

      test('findByParentId: of several children gives the newest by createdAt, whatever the insertion order', async (use) => {
        const parent = await storeRefreshToken(use)
        const newest = await storeChild(use, parent, 30)
        await storeChild(use, parent, 10)
        await storeChild(use, parent, 20)
        expect(await use((r) => r.refreshTokens.findByParentId(parent.id))).toEqual(newest)
      })

      test('findByParentId: gives the child in any state (rotated or revoked)', async (use) => {
        const parent = await storeRefreshToken(use)
        const older = await storeChild(use, parent, 10)
        const rotated = await use((r) => r.refreshTokens.markRotated(older.tokenHash, minutesLater(11)))
        expect(await use((r) => r.refreshTokens.findByParentId(parent.id))).toEqual(rotated)
        const newer = await storeChild(use, parent, 20)
        const revoked = await use((r) => r.refreshTokens.revoke(newer.id, minutesLater(21)))
        expect(revoked).not.toBeNull()
        expect(await use((r) => r.refreshTokens.findByParentId(parent.id))).toEqual(revoked)
      })

      test('markRotated: returns the token with rotatedAt = now and every other field unchanged', async (use) => {
        const token = await storeAwkwardRefreshToken(use)
        const sibling = await storeRefreshToken(use, { clientId: token.clientId, familyId: token.familyId })
        const now = minutesLater(3)
        const rotated = await use((r) => r.refreshTokens.markRotated(token.tokenHash, now))
        expect(rotated).toEqual({ ...token, rotatedAt: now })
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(rotated)
        expect(await use((r) => r.refreshTokens.findByHash(sibling.tokenHash))).toEqual(sibling)
      })

      test('markRotated: a second call gives null and keeps the first rotation time', async (use) => {
        const token = await storeRefreshToken(use)
        expect(await use((r) => r.refreshTokens.markRotated(token.tokenHash, minutesLater(3)))).not.toBeNull()
        expect(await use((r) => r.refreshTokens.markRotated(token.tokenHash, minutesLater(4)))).toBeNull()
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual({
          ...token,
          rotatedAt: minutesLater(3),
        })
      })

      test('markRotated: a revoked token gives null and stays unrotated', async (use) => {
        const token = await storeRefreshToken(use)
        const revoked = await use((r) => r.refreshTokens.revoke(token.id, minutesLater(1)))
        expect(await use((r) => r.refreshTokens.markRotated(token.tokenHash, minutesLater(3)))).toBeNull()
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(revoked)
      })

      test('markRotated: an unknown hash gives null', async (use) => {
        expect(await use((r) => r.refreshTokens.markRotated(randomHash(), minutesLater(3)))).toBeNull()
      })

      test('revoke: returns the token as revoked by this call (revokedAt = now, all else unchanged), rotated or not', async (use) => {
        const token = await storeAwkwardRefreshToken(use)
        const now = minutesLater(3)
        const revoked = await use((r) => r.refreshTokens.revoke(token.id, now))
        expect(revoked).toEqual({ ...token, revokedAt: now })
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(revoked)
        const used = await storeRefreshToken(use)
        const rotated = await use((r) => r.refreshTokens.markRotated(used.tokenHash, minutesLater(1)))
        expect(await use((r) => r.refreshTokens.revoke(used.id, now))).toEqual({ ...rotated, revokedAt: now })
      })

      test('revoke: a second revoke gives null and keeps the first revocation time', async (use) => {
        const token = await storeRefreshToken(use)
        expect(await use((r) => r.refreshTokens.revoke(token.id, minutesLater(3)))).not.toBeNull()
        expect(await use((r) => r.refreshTokens.revoke(token.id, minutesLater(4)))).toBeNull()
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test('revoke: an unknown id gives null', async (use) => {
        expect(await use((r) => r.refreshTokens.revoke(randomUuid(), minutesLater(3)))).toBeNull()
      })

      test('revokeFamily: revokes the unrevoked tokens of the family and returns how many; leaves the rest alone', async (use) => {
        const first = await storeRefreshToken(use)
        const second = await storeChild(use, first, 10)
        const rotatedFirst = await use((r) => r.refreshTokens.markRotated(first.tokenHash, minutesLater(10)))
        const early = await storeChild(use, second, 20)
        await use((r) => r.refreshTokens.revoke(early.id, minutesLater(21)))
        const stranger = await storeRefreshToken(use, { clientId: first.clientId, userId: first.userId })
        const now = minutesLater(30)
        expect(await use((r) => r.refreshTokens.revokeFamily(first.familyId, now))).toBe(2)
        expect(await use((r) => r.refreshTokens.findByHash(first.tokenHash))).toEqual({
          ...rotatedFirst,
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(second.tokenHash))).toEqual({
          ...second,
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(early.tokenHash))).toEqual({
          ...early,
          revokedAt: minutesLater(21),
        })
        expect(await use((r) => r.refreshTokens.findByHash(stranger.tokenHash))).toEqual(stranger)
      })

      test('revokeFamily: a second call revokes nothing and returns 0 (idempotent)', async (use) => {
        const token = await storeRefreshToken(use)
        expect(await use((r) => r.refreshTokens.revokeFamily(token.familyId, minutesLater(3)))).toBe(1)
        expect(await use((r) => r.refreshTokens.revokeFamily(token.familyId, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.refreshTokens.revokeFamily(randomUuid(), minutesLater(4)))).toBe(0)
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test("revokeByClient: revokes the client's unrevoked tokens and returns how many; leaves other clients' tokens alone", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const first = await storeRefreshToken(use, { clientId: client.id })
        const second = await storeRefreshToken(use, { clientId: client.id })
        const early = await storeRefreshToken(use, { clientId: client.id })
        await use((r) => r.refreshTokens.revoke(early.id, minutesLater(1)))
        const stranger = await storeRefreshToken(use, { clientId: otherClient.id, familyId: first.familyId })
        const now = minutesLater(3)
        expect(await use((r) => r.refreshTokens.revokeByClient(client.id, now))).toBe(2)
        expect(await use((r) => r.refreshTokens.findByHash(first.tokenHash))).toEqual({
          ...first,
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(second.tokenHash))).toEqual({
          ...second,
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(early.tokenHash))).toEqual({
          ...early,
          revokedAt: minutesLater(1),
        })
        expect(await use((r) => r.refreshTokens.findByHash(stranger.tokenHash))).toEqual(stranger)
      })

      test('revokeByClient: a second call revokes nothing and returns 0 (idempotent)', async (use) => {
        const token = await storeRefreshToken(use)
        expect(await use((r) => r.refreshTokens.revokeByClient(token.clientId, minutesLater(3)))).toBe(1)
        expect(await use((r) => r.refreshTokens.revokeByClient(token.clientId, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test("revokeByUser: with a client id, revokes that user's unrevoked tokens of that client (rotated ones too) and returns how many", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const userId = awkwardUserId()
        const parent = await storeRefreshToken(use, { clientId: client.id, userId })
        await use((r) => r.refreshTokens.markRotated(parent.tokenHash, minutesLater(1)))
        const child = await storeChild(use, parent, 1)
        const elsewhere = await storeRefreshToken(use, { clientId: otherClient.id, userId })
        const otherUser = await storeRefreshToken(use, { clientId: client.id, userId: swapCase(userId) })
        const now = minutesLater(3)
        expect(await use((r) => r.refreshTokens.revokeByUser(userId, client.id, now))).toBe(2)
        expect(await use((r) => r.refreshTokens.findByHash(parent.tokenHash))).toEqual({
          ...parent,
          rotatedAt: minutesLater(1),
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(child.tokenHash))).toEqual({
          ...child,
          revokedAt: now,
        })
        expect(await use((r) => r.refreshTokens.findByHash(elsewhere.tokenHash))).toEqual(elsewhere)
        expect(await use((r) => r.refreshTokens.findByHash(otherUser.tokenHash))).toEqual(otherUser)
      })

      test("revokeByUser: with a null client id, revokes the user's tokens of every client; a second call returns 0 (idempotent)", async (use) => {
        const userId = `user-${randomUuid()}`
        const first = await storeRefreshToken(use, { userId })
        const second = await storeRefreshToken(use, { userId })
        const stranger = await storeRefreshToken(use, { clientId: first.clientId })
        expect(await use((r) => r.refreshTokens.revokeByUser(userId, null, minutesLater(3)))).toBe(2)
        expect(await use((r) => r.refreshTokens.revokeByUser(userId, null, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.refreshTokens.findByHash(first.tokenHash))).toEqual({
          ...first,
          revokedAt: minutesLater(3),
        })
        expect(await use((r) => r.refreshTokens.findByHash(second.tokenHash))).toEqual({
          ...second,
          revokedAt: minutesLater(3),
        })
        expect(await use((r) => r.refreshTokens.findByHash(stranger.tokenHash))).toEqual(stranger)
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('markRotated: of 50 concurrent callers exactly one gets the token, the rest null', async (use) => {
        const token = await storeRefreshToken(use)
        const results = await inParallel(50, (i) =>
          use((r) => r.refreshTokens.markRotated(token.tokenHash, instantAfter(60_000 + i))),
        )
        const winners = nonNull(results)
        expect(winners).toHaveLength(1)
        expect(winners[0]?.rotatedAt).not.toBeNull()
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(winners[0])
      })

      test('revoke: of 20 concurrent callers exactly one gets the token, the rest null', async (use) => {
        const token = await storeRefreshToken(use)
        const results = await inParallel(20, (i) =>
          use((r) => r.refreshTokens.revoke(token.id, instantAfter(60_000 + i))),
        )
        const winners = nonNull(results)
        expect(winners).toHaveLength(1)
        expect(await use((r) => r.refreshTokens.findByHash(token.tokenHash))).toEqual(winners[0])
      })

      test('markRotated and revoke racing on one token: the rotation wins only if it came first', async (use) => {
        const token = await storeRefreshToken(use)
        const [rotated, revoked] = await Promise.all([
          use((r) => r.refreshTokens.markRotated(token.tokenHash, minutesLater(3))),
          use((r) => r.refreshTokens.revoke(token.id, minutesLater(4))),
        ])
        // Revoke always wins (nothing revoked it before); the rotation may have come first or not.
        expect(revoked?.revokedAt).toEqual(minutesLater(4))
        const stored = await use((r) => r.refreshTokens.findByHash(token.tokenHash))
        expect(stored).toEqual({
          ...token,
          rotatedAt: rotated === null ? null : minutesLater(3),
          revokedAt: minutesLater(4),
        })
      })
    })
  })
}
