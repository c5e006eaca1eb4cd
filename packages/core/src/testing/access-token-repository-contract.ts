import { describe, expect } from 'vitest'
import type { AccessTokenRecord, BearerTokenRecord } from '../domain/access-token.js'
import {
  awkwardClaims,
  awkwardUserId,
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
import { buildAccessTokenRecord, instantAfter, randomHash, randomUuid } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** Stores an access token (and a client for it, unless `clientId` is given). */
async function storeAccessToken(
  use: Use,
  overrides: Partial<AccessTokenRecord> = {},
): Promise<AccessTokenRecord> {
  const clientId = overrides.clientId ?? (await storeClient(use)).id
  const token = buildAccessTokenRecord({ ...overrides, clientId })
  await use((r) => r.accessTokens.insert(token))
  return token
}

/** An opaque token with every field set to something a careless storage would mangle. */
function awkwardAccessToken(clientId: string): AccessTokenRecord {
  return buildAccessTokenRecord({
    clientId,
    userId: awkwardUserId(),
    grantType: 'refresh_token',
    scopes: ['profile', 'openid', 'email'],
    claims: awkwardClaims(),
    createdAt: instantAfter(1),
    expiresAt: farFuture(),
  })
}

/** The fields of a token a bearer check reads (`BearerTokenRecord`), from whatever was returned. */
function bearerFields(token: BearerTokenRecord | null): BearerTokenRecord | null {
  if (token === null) return null
  const { id, clientId, userId, grantType, scopes, claims, expiresAt, revokedAt } = token
  return { id, clientId, userId, grantType, scopes, claims, expiresAt, revokedAt }
}

/** A JWT access token from client_credentials: no hash, no user, no family. */
function jwtAccessToken(clientId: string): AccessTokenRecord {
  return buildAccessTokenRecord({
    clientId,
    tokenHash: null,
    hashKeyId: null,
    format: 'jwt',
    userId: null,
    grantType: 'client_credentials',
    scopes: [],
    familyId: null,
  })
}

/**
 * The contract of `AccessTokenRepository`: round trips of opaque and JWT tokens (several JWTs
 * without a hash may exist), lookups by id and by exact hash, duplicates, `revoke`, `revokeFamily`
 * `revokeByClient` and `revokeByUser` (one client or all, exact user ids) with their counts and
 * idempotence, and 20 concurrent `revoke` calls of which
 * exactly one gets the token. Each test runs through `storage.repositories`, through a unit of work
 * per call, and inside one unit of work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @see RFC 7009 §2.1 (revocation)
 */
export function accessTokenRepositoryContract(factory: StorageFactory): void {
  describe('AccessTokenRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test, mode) => {
      test('revoking the client leaves its token rows as they were: findByHash and findById return them as stored', async (use) => {
        const client = await storeClient(use)
        const live = awkwardAccessToken(client.id)
        const revoked = { ...jwtAccessToken(client.id), revokedAt: minutesLater(1) }
        await use((r) => r.accessTokens.insert(live))
        await use((r) => r.accessTokens.insert(revoked))
        await use((r) => r.clients.revoke(client.id, minutesLater(3)))
        // The client's state is the core's to ask (ClientRevocationCache); revokeClient revokes the rows.
        expect(await use((r) => r.accessTokens.findByHash(live.tokenHash!))).toEqual(live)
        expect(await use((r) => r.accessTokens.findById(live.id))).toEqual(live)
        expect(await use((r) => r.accessTokens.findById(revoked.id))).toEqual(revoked)
      })

      test('insert then findByHash and findById: every field comes back equal (unicode, nested claims, array order, ms dates)', async (use) => {
        const client = await storeClient(use)
        const token = awkwardAccessToken(client.id)
        await use((r) => r.accessTokens.insert(token))
        expect(await use((r) => r.accessTokens.findByHash(token.tokenHash!))).toEqual(token)
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual(token)
      })

      test('insert then findById: JWT tokens without a hash, user or family come back equal, several of them', async (use) => {
        const client = await storeClient(use)
        const first = jwtAccessToken(client.id)
        const second = jwtAccessToken(client.id)
        await use((r) => r.accessTokens.insert(first))
        await use((r) => r.accessTokens.insert(second))
        expect(await use((r) => r.accessTokens.findById(first.id))).toEqual(first)
        expect(await use((r) => r.accessTokens.findById(second.id))).toEqual(second)
      })

      test('findByHash and findById: unknown values give null', async (use) => {
        await storeAccessToken(use)
        expect(await use((r) => r.accessTokens.findByHash(randomHash()))).toBeNull()
        expect(await use((r) => r.accessTokens.findById(randomUuid()))).toBeNull()
      })

      test('findBearerByHash, when the storage has one: the fields a bearer check reads as stored, revoked or not; null for an unknown or case-swapped hash', async (use) => {
        const client = await storeClient(use)
        const live = awkwardAccessToken(client.id)
        const revoked = { ...awkwardAccessToken(client.id), revokedAt: minutesLater(2) }
        await use((r) => r.accessTokens.insert(live))
        await use((r) => r.accessTokens.insert(revoked))
        const bearerRead = (hash: string) =>
          use((r) => r.accessTokens.findBearerByHash?.(hash) ?? r.accessTokens.findByHash(hash))
        expect(bearerFields(await bearerRead(live.tokenHash!))).toEqual(bearerFields(live))
        expect(bearerFields(await bearerRead(revoked.tokenHash!))).toEqual(bearerFields(revoked))
        expect(await bearerRead(randomHash())).toBeNull()
        expect(await bearerRead(swapCase(live.tokenHash!))).toBeNull()
      })

      test('findByHash: hashes differing only in letter case are different tokens', async (use) => {
        const token = await storeAccessToken(use, { tokenHash: `aZ${randomHash()}` })
        expect(await use((r) => r.accessTokens.findByHash(swapCase(token.tokenHash!)))).toBeNull()
        const twin = await storeAccessToken(use, {
          tokenHash: swapCase(token.tokenHash!),
          clientId: token.clientId,
        })
        expect(await use((r) => r.accessTokens.findByHash(token.tokenHash!))).toEqual(token)
        expect(await use((r) => r.accessTokens.findByHash(twin.tokenHash!))).toEqual(twin)
      })

      test('the stored token does not change when the caller changes the objects it passed or got', async (use) => {
        const client = await storeClient(use)
        const token = awkwardAccessToken(client.id)
        const expected = structuredClone(token)
        await use((r) => r.accessTokens.insert(token))
        scribble(token)
        scribble(await use((r) => r.accessTokens.findById(expected.id)))
        scribble(await use((r) => r.accessTokens.findByHash(expected.tokenHash!)))
        const now = minutesLater(3)
        scribble(await use((r) => r.accessTokens.revoke(expected.id, now)))
        scribble(now)
        expect(await use((r) => r.accessTokens.findById(expected.id))).toEqual({
          ...expected,
          revokedAt: minutesLater(3),
        })
      })

      if (mode.survivesErrors) {
        test('insert: a token with an existing id, or an existing hash, is rejected and the first one is kept', async (use) => {
          const token = await storeAccessToken(use)
          const sameId = buildAccessTokenRecord({ id: token.id, clientId: token.clientId })
          const sameHash = buildAccessTokenRecord({ tokenHash: token.tokenHash, clientId: token.clientId })
          await expect(use((r) => r.accessTokens.insert(sameId))).rejects.toThrow()
          await expect(use((r) => r.accessTokens.insert(sameHash))).rejects.toThrow()
          expect(await use((r) => r.accessTokens.findById(token.id))).toEqual(token)
          expect(await use((r) => r.accessTokens.findByHash(token.tokenHash!))).toEqual(token)
          expect(await use((r) => r.accessTokens.findById(sameHash.id))).toBeNull()
        })
      }

      test('revoke: returns the token as revoked by this call (revokedAt = now, all else unchanged)', async (use) => {
        const client = await storeClient(use)
        const token = awkwardAccessToken(client.id)
        const other = await storeAccessToken(use, { clientId: client.id, familyId: token.familyId })
        await use((r) => r.accessTokens.insert(token))
        const now = minutesLater(3)
        const revoked = await use((r) => r.accessTokens.revoke(token.id, now))
        expect(revoked).toEqual({ ...token, revokedAt: now })
        expect(await use((r) => r.accessTokens.findByHash(token.tokenHash!))).toEqual(revoked)
        expect(await use((r) => r.accessTokens.findById(other.id))).toEqual(other)
      })

      test('revoke: a JWT token (no hash) is revoked by id', async (use) => {
        const client = await storeClient(use)
        const token = jwtAccessToken(client.id)
        await use((r) => r.accessTokens.insert(token))
        const now = minutesLater(3)
        expect(await use((r) => r.accessTokens.revoke(token.id, now))).toEqual({ ...token, revokedAt: now })
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual({ ...token, revokedAt: now })
      })

      test('revoke: a second revoke gives null and keeps the first revocation time', async (use) => {
        const token = await storeAccessToken(use)
        expect(await use((r) => r.accessTokens.revoke(token.id, minutesLater(3)))).not.toBeNull()
        expect(await use((r) => r.accessTokens.revoke(token.id, minutesLater(4)))).toBeNull()
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test('revoke: an unknown id gives null', async (use) => {
        expect(await use((r) => r.accessTokens.revoke(randomUuid(), minutesLater(3)))).toBeNull()
      })

      test('revokeFamily: revokes the unrevoked tokens of the family and returns how many; leaves the rest alone', async (use) => {
        const client = await storeClient(use)
        const familyId = randomUuid()
        const members = [
          await storeAccessToken(use, { clientId: client.id, familyId }),
          await storeAccessToken(use, { clientId: client.id, familyId }),
        ]
        const early = await storeAccessToken(use, { clientId: client.id, familyId })
        await use((r) => r.accessTokens.revoke(early.id, minutesLater(1)))
        const stranger = await storeAccessToken(use, { clientId: client.id })
        const loner = await storeAccessToken(use, { clientId: client.id, familyId: null })
        const now = minutesLater(3)
        expect(await use((r) => r.accessTokens.revokeFamily(familyId, now))).toBe(2)
        for (const member of members) {
          expect(await use((r) => r.accessTokens.findById(member.id))).toEqual({ ...member, revokedAt: now })
        }
        expect(await use((r) => r.accessTokens.findById(early.id))).toEqual({
          ...early,
          revokedAt: minutesLater(1),
        })
        expect(await use((r) => r.accessTokens.findById(stranger.id))).toEqual(stranger)
        expect(await use((r) => r.accessTokens.findById(loner.id))).toEqual(loner)
      })

      test('revokeFamily: a second call revokes nothing and returns 0 (idempotent)', async (use) => {
        const token = await storeAccessToken(use)
        expect(await use((r) => r.accessTokens.revokeFamily(token.familyId!, minutesLater(3)))).toBe(1)
        expect(await use((r) => r.accessTokens.revokeFamily(token.familyId!, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.accessTokens.revokeFamily(randomUuid(), minutesLater(4)))).toBe(0)
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test("revokeByClient: revokes the client's unrevoked tokens, opaque and JWT, and returns how many; leaves other clients' tokens alone", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const opaque = await storeAccessToken(use, { clientId: client.id })
        const jwt = jwtAccessToken(client.id)
        await use((r) => r.accessTokens.insert(jwt))
        const early = await storeAccessToken(use, { clientId: client.id })
        await use((r) => r.accessTokens.revoke(early.id, minutesLater(1)))
        const stranger = await storeAccessToken(use, { clientId: otherClient.id, familyId: opaque.familyId })
        const now = minutesLater(3)
        expect(await use((r) => r.accessTokens.revokeByClient(client.id, now))).toBe(2)
        expect(await use((r) => r.accessTokens.findById(opaque.id))).toEqual({ ...opaque, revokedAt: now })
        expect(await use((r) => r.accessTokens.findById(jwt.id))).toEqual({ ...jwt, revokedAt: now })
        expect(await use((r) => r.accessTokens.findById(early.id))).toEqual({
          ...early,
          revokedAt: minutesLater(1),
        })
        expect(await use((r) => r.accessTokens.findById(stranger.id))).toEqual(stranger)
      })

      test('revokeByClient: a second call revokes nothing and returns 0 (idempotent)', async (use) => {
        const token = await storeAccessToken(use)
        expect(await use((r) => r.accessTokens.revokeByClient(token.clientId, minutesLater(3)))).toBe(1)
        expect(await use((r) => r.accessTokens.revokeByClient(token.clientId, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual({
          ...token,
          revokedAt: minutesLater(3),
        })
      })

      test("revokeByUser: with a client id, revokes that user's unrevoked tokens of that client only, and returns how many", async (use) => {
        const client = await storeClient(use)
        const otherClient = await storeClient(use)
        const userId = awkwardUserId()
        const mine = await storeAccessToken(use, { clientId: client.id, userId })
        const alsoMine = await storeAccessToken(use, { clientId: client.id, userId, familyId: null })
        const early = await storeAccessToken(use, { clientId: client.id, userId })
        await use((r) => r.accessTokens.revoke(early.id, minutesLater(1)))
        const elsewhere = await storeAccessToken(use, { clientId: otherClient.id, userId })
        const otherUser = await storeAccessToken(use, { clientId: client.id, userId: swapCase(userId) })
        const machine = jwtAccessToken(client.id)
        await use((r) => r.accessTokens.insert(machine))
        const now = minutesLater(3)
        expect(await use((r) => r.accessTokens.revokeByUser(userId, client.id, now))).toBe(2)
        expect(await use((r) => r.accessTokens.findById(mine.id))).toEqual({ ...mine, revokedAt: now })
        expect(await use((r) => r.accessTokens.findById(alsoMine.id))).toEqual({
          ...alsoMine,
          revokedAt: now,
        })
        expect(await use((r) => r.accessTokens.findById(early.id))).toEqual({
          ...early,
          revokedAt: minutesLater(1),
        })
        expect(await use((r) => r.accessTokens.findById(elsewhere.id))).toEqual(elsewhere)
        expect(await use((r) => r.accessTokens.findById(otherUser.id))).toEqual(otherUser)
        expect(await use((r) => r.accessTokens.findById(machine.id))).toEqual(machine)
      })

      test("revokeByUser: with a null client id, revokes the user's tokens of every client; a second call returns 0 (idempotent)", async (use) => {
        const userId = `user-${randomUuid()}`
        const first = await storeAccessToken(use, { userId })
        const second = await storeAccessToken(use, { userId })
        const stranger = await storeAccessToken(use, { clientId: first.clientId })
        expect(await use((r) => r.accessTokens.revokeByUser(userId, null, minutesLater(3)))).toBe(2)
        expect(await use((r) => r.accessTokens.revokeByUser(userId, null, minutesLater(4)))).toBe(0)
        expect(await use((r) => r.accessTokens.findById(first.id))).toEqual({
          ...first,
          revokedAt: minutesLater(3),
        })
        expect(await use((r) => r.accessTokens.findById(second.id))).toEqual({
          ...second,
          revokedAt: minutesLater(3),
        })
        expect(await use((r) => r.accessTokens.findById(stranger.id))).toEqual(stranger)
        expect(
          await use((r) => r.accessTokens.revokeByUser(`user-${randomUuid()}`, null, minutesLater(5))),
        ).toBe(0)
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('revoke: of 20 concurrent callers exactly one gets the token, the rest null', async (use) => {
        const token = await storeAccessToken(use)
        const results = await inParallel(20, (i) =>
          use((r) => r.accessTokens.revoke(token.id, instantAfter(60_000 + i))),
        )
        const winners = nonNull(results)
        expect(winners).toHaveLength(1)
        expect(await use((r) => r.accessTokens.findById(token.id))).toEqual(winners[0])
      })

      test('revokeFamily: of 20 concurrent callers the counts add up to the family size', async (use) => {
        const client = await storeClient(use)
        const familyId = randomUuid()
        await inParallel(5, () => storeAccessToken(use, { clientId: client.id, familyId }))
        const counts = await inParallel(20, (i) =>
          use((r) => r.accessTokens.revokeFamily(familyId, instantAfter(60_000 + i))),
        )
        expect(counts.reduce((sum, count) => sum + count, 0)).toBe(5)
      })
    })
  })
}
