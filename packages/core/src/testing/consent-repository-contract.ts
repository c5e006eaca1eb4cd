import { describe, expect } from 'vitest'
import type { ConsentRecord } from '../domain/consent.js'
import {
  awkwardClaims,
  awkwardUserId,
  forEachAccessMode,
  forEachConcurrentMode,
  inParallel,
  minutesLater,
  scribble,
  storeClient,
  swapCase,
  type Use,
} from './contract-support.js'
import { buildConsentRecord, instantAfter, randomUuid } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** Upserts a consent (for a new client, unless `clientId` is given). */
async function storeConsent(use: Use, overrides: Partial<ConsentRecord> = {}): Promise<ConsentRecord> {
  const clientId = overrides.clientId ?? (await storeClient(use)).id
  const consent = buildConsentRecord({ ...overrides, clientId })
  await use((r) => r.consents.upsert(consent))
  return consent
}

/**
 * The contract of `ConsentRepository`: round trips of every field, exact user ids (letter case,
 * accents and trailing spaces matter), `upsert` creating and replacing, `delete` and
 * `deleteByClient`, `listByUser` (ordered by client id) and `deleteByUser` with their results and
 * idempotence, and 20 concurrent upserts leaving exactly one
 * consent. Each test runs through `storage.repositories`, through a unit of work per call, and
 * inside one unit of work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 */
export function consentRepositoryContract(factory: StorageFactory): void {
  describe('ConsentRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test) => {
      test('upsert then find: every field comes back equal (unicode user id, nested claims, array order, ms dates)', async (use) => {
        const consent = await storeConsent(use, {
          userId: awkwardUserId(),
          scopes: ['profile', 'openid', 'email'],
          claims: awkwardClaims(),
          createdAt: instantAfter(1),
          updatedAt: instantAfter(999),
        })
        expect(await use((r) => r.consents.find(consent.userId, consent.clientId))).toEqual(consent)
      })

      test('find: another user or another client gives null', async (use) => {
        const consent = await storeConsent(use)
        const otherClient = await storeClient(use)
        expect(await use((r) => r.consents.find(consent.userId, otherClient.id))).toBeNull()
        expect(await use((r) => r.consents.find(`user-${randomUuid()}`, consent.clientId))).toBeNull()
        expect(await use((r) => r.consents.find(consent.userId, randomUuid()))).toBeNull()
      })

      test('user ids are exact: letter case, accents and trailing spaces make different users', async (use) => {
        const client = await storeClient(use)
        const base = `José ${randomUuid()}`
        const userIds = [base, base.toLowerCase(), base.toUpperCase(), base.replace('é', 'e'), `${base} `]
        const consents: ConsentRecord[] = []
        for (const [index, userId] of userIds.entries()) {
          consents.push(await storeConsent(use, { userId, clientId: client.id, scopes: [`scope-${index}`] }))
        }
        for (const consent of consents) {
          expect(await use((r) => r.consents.find(consent.userId, client.id))).toEqual(consent)
        }
      })

      test('the stored consent does not change when the caller changes the objects it passed or got', async (use) => {
        const client = await storeClient(use)
        const consent = buildConsentRecord({ clientId: client.id, claims: awkwardClaims() })
        const expected = structuredClone(consent)
        await use((r) => r.consents.upsert(consent))
        scribble(consent)
        scribble(await use((r) => r.consents.find(expected.userId, expected.clientId)))
        expect(await use((r) => r.consents.find(expected.userId, expected.clientId))).toEqual(expected)
      })

      test('upsert: a second upsert for the same user and client replaces scopes, claims and updatedAt (one consent)', async (use) => {
        const first = await storeConsent(use, { claims: { first: true } })
        const second = buildConsentRecord({
          userId: first.userId,
          clientId: first.clientId,
          scopes: ['email', 'openid', 'profile'],
          claims: { second: ['yes'] },
          createdAt: first.createdAt,
          updatedAt: minutesLater(3),
        })
        await use((r) => r.consents.upsert(second))
        expect(await use((r) => r.consents.find(first.userId, first.clientId))).toEqual(second)
        expect(await use((r) => r.consents.deleteByClient(first.clientId))).toBe(1)
      })

      test('upsert: consents of other users and other clients are left alone', async (use) => {
        const consent = await storeConsent(use)
        const sameUser = await storeConsent(use, { userId: consent.userId })
        const sameClient = await storeConsent(use, { clientId: consent.clientId })
        await use((r) => r.consents.upsert({ ...consent, scopes: ['changed'], updatedAt: minutesLater(3) }))
        expect(await use((r) => r.consents.find(sameUser.userId, sameUser.clientId))).toEqual(sameUser)
        expect(await use((r) => r.consents.find(sameClient.userId, sameClient.clientId))).toEqual(sameClient)
      })

      test('delete: removes the consent and returns true; a second delete returns false (idempotent)', async (use) => {
        const consent = await storeConsent(use)
        const sameUser = await storeConsent(use, { userId: consent.userId })
        const sameClient = await storeConsent(use, { clientId: consent.clientId })
        expect(await use((r) => r.consents.delete(consent.userId, consent.clientId))).toBe(true)
        expect(await use((r) => r.consents.find(consent.userId, consent.clientId))).toBeNull()
        expect(await use((r) => r.consents.delete(consent.userId, consent.clientId))).toBe(false)
        expect(await use((r) => r.consents.find(sameUser.userId, sameUser.clientId))).toEqual(sameUser)
        expect(await use((r) => r.consents.find(sameClient.userId, sameClient.clientId))).toEqual(sameClient)
      })

      test('delete: no consent to delete returns false', async (use) => {
        const client = await storeClient(use)
        expect(await use((r) => r.consents.delete(`user-${randomUuid()}`, client.id))).toBe(false)
      })

      test("deleteByClient: deletes every consent given to the client and returns how many; keeps other clients' consents", async (use) => {
        const client = await storeClient(use)
        const doomed = [
          await storeConsent(use, { clientId: client.id }),
          await storeConsent(use, { clientId: client.id, userId: awkwardUserId() }),
          await storeConsent(use, { clientId: client.id }),
        ]
        const kept = await storeConsent(use, { userId: doomed[0]!.userId })
        expect(await use((r) => r.consents.deleteByClient(client.id))).toBe(3)
        for (const consent of doomed) {
          expect(await use((r) => r.consents.find(consent.userId, consent.clientId))).toBeNull()
        }
        expect(await use((r) => r.consents.find(kept.userId, kept.clientId))).toEqual(kept)
      })

      test('deleteByClient: a second call deletes nothing and returns 0 (idempotent)', async (use) => {
        const consent = await storeConsent(use)
        expect(await use((r) => r.consents.deleteByClient(consent.clientId))).toBe(1)
        expect(await use((r) => r.consents.deleteByClient(consent.clientId))).toBe(0)
      })

      test("listByUser: every consent of the user, ordered by client id, every field equal; other users' consents are not listed", async (use) => {
        const userId = awkwardUserId()
        const stored = [
          await storeConsent(use, { userId, claims: awkwardClaims() }),
          await storeConsent(use, { userId, scopes: ['a', 'b'] }),
          await storeConsent(use, { userId }),
        ]
        const otherUser = await storeConsent(use, { userId: swapCase(userId), clientId: stored[0]!.clientId })
        const expected = [...stored].sort((a, b) => (a.clientId < b.clientId ? -1 : 1))
        expect(await use((r) => r.consents.listByUser(userId))).toEqual(expected)
        expect(await use((r) => r.consents.listByUser(otherUser.userId))).toEqual([otherUser])
        expect(await use((r) => r.consents.listByUser(`user-${randomUuid()}`))).toEqual([])
      })

      test("deleteByUser: deletes every consent of the user and returns how many; keeps other users' consents; a second call returns 0", async (use) => {
        const userId = `user-${randomUuid()}`
        const first = await storeConsent(use, { userId })
        await storeConsent(use, { userId })
        const stranger = await storeConsent(use, { clientId: first.clientId })
        expect(await use((r) => r.consents.deleteByUser(userId))).toBe(2)
        expect(await use((r) => r.consents.deleteByUser(userId))).toBe(0)
        expect(await use((r) => r.consents.listByUser(userId))).toEqual([])
        expect(await use((r) => r.consents.find(stranger.userId, stranger.clientId))).toEqual(stranger)
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('upsert: 20 concurrent upserts for one user and client all resolve and leave exactly one consent, from one of them', async (use) => {
        const client = await storeClient(use)
        const userId = awkwardUserId()
        const candidates = Array.from({ length: 20 }, (_, i) =>
          buildConsentRecord({
            userId,
            clientId: client.id,
            scopes: [`scope-${i}`],
            updatedAt: minutesLater(i),
          }),
        )
        await inParallel(candidates.length, (i) => use((r) => r.consents.upsert(candidates[i]!)))
        const stored = await use((r) => r.consents.find(userId, client.id))
        expect(candidates).toContainEqual(stored)
        expect(await use((r) => r.consents.deleteByClient(client.id))).toBe(1)
      })
    })
  })
}
