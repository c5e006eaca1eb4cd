import { describe, expect } from 'vitest'
import type { SigningKeyRecord, SigningKeyState } from '../domain/signing-key.js'
import { awkwardText, forEachAccessMode, minutesLater, scribble, type Use } from './contract-support.js'
import { buildSigningKeyRecord, instantAfter, randomHash, randomUuid } from './record-builders.js'
import { type StorageFactory, useStorageUnderTest } from './storage-factory.js'

async function storeKey(use: Use, overrides: Partial<SigningKeyRecord> = {}): Promise<SigningKeyRecord> {
  const key = buildSigningKeyRecord(overrides)
  await use((r) => r.signingKeys.insert(key))
  return key
}

/** An RS256 key: JWKs with long values, as RSA keys have (a 2048-bit modulus is 342 characters). */
function rsaKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = randomUuid()
  const longValue = () => Array.from({ length: 8 }, randomHash).join('')
  const publicJwk = { kty: 'RSA', n: longValue(), e: 'AQAB', kid, alg: 'RS256' }
  return buildSigningKeyRecord({
    kid,
    algorithm: 'RS256',
    state: 'previous',
    publicJwk: { ...publicJwk, use: 'sig', x5c: [longValue(), longValue()] },
    privateJwk: { ...publicJwk, d: longValue(), p: longValue(), q: longValue(), note: awkwardText(1000) },
    createdAt: instantAfter(1),
    updatedAt: instantAfter(999),
    ...overrides,
  })
}

/** The keys of `listed` that are among `mine`, in the listed order: the storage may hold others. */
function onlyMine(
  listed: readonly SigningKeyRecord[],
  mine: readonly SigningKeyRecord[],
): SigningKeyRecord[] {
  const kids = new Set(mine.map((key) => key.kid))
  return listed.filter((key) => kids.has(key.kid))
}

/**
 * The contract of `SigningKeyRepository`: round trips of every field (JWKs as nested JSON),
 * duplicate `kid`s, `listByState` (newest first, only the given states, none for no states) and
 * `updateState` (sets `updatedAt`, which the core reads as the time the key changed state) and
 * `updatePrivateJwk` (re-encryption: leaves `updatedAt` alone). Each
 * test runs through `storage.repositories`, through a unit of work per call, and inside one unit of
 * work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @see RFC 7517 §4 (JWK)
 */
export function signingKeyRepositoryContract(factory: StorageFactory): void {
  describe('SigningKeyRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test, mode) => {
      test('insert then findByKid: every field comes back equal (JWKs as nested JSON, every algorithm and state)', async (use) => {
        const keys = [
          buildSigningKeyRecord(),
          rsaKey(),
          buildSigningKeyRecord({
            algorithm: 'EdDSA',
            state: 'retired',
            publicJwk: { kty: 'OKP', crv: 'Ed25519', x: randomHash() },
            privateJwk: { kty: 'OKP', crv: 'Ed25519', x: randomHash(), d: randomHash() },
          }),
          buildSigningKeyRecord({ state: 'compromised', updatedAt: minutesLater(3) }),
        ]
        for (const key of keys) await use((r) => r.signingKeys.insert(key))
        for (const key of keys) expect(await use((r) => r.signingKeys.findByKid(key.kid))).toEqual(key)
      })

      test('findByKid: an unknown kid gives null', async (use) => {
        await storeKey(use)
        expect(await use((r) => r.signingKeys.findByKid(randomUuid()))).toBeNull()
      })

      test('the stored key does not change when the caller changes the objects it passed or got', async (use) => {
        const key = rsaKey()
        const expected = structuredClone(key)
        await use((r) => r.signingKeys.insert(key))
        scribble(key)
        scribble(await use((r) => r.signingKeys.findByKid(expected.kid)))
        scribble(await use((r) => r.signingKeys.listByState([expected.state])))
        expect(await use((r) => r.signingKeys.findByKid(expected.kid))).toEqual(expected)
      })

      if (mode.survivesErrors) {
        test('insert: a key with an existing kid is rejected, and the first one is kept', async (use) => {
          const key = await storeKey(use)
          await expect(use((r) => r.signingKeys.insert(rsaKey({ kid: key.kid })))).rejects.toThrow()
          expect(await use((r) => r.signingKeys.findByKid(key.kid))).toEqual(key)
        })
      }

      test('listByState: gives the keys newest first by createdAt, whatever the insertion order', async (use) => {
        const middle = await storeKey(use, { createdAt: minutesLater(20), state: 'previous' })
        const oldest = await storeKey(use, { createdAt: minutesLater(10), state: 'previous' })
        const newest = await storeKey(use, { createdAt: minutesLater(30), state: 'active' })
        const listed = await use((r) => r.signingKeys.listByState(['previous', 'active']))
        expect(onlyMine(listed, [oldest, middle, newest])).toEqual([newest, middle, oldest])
      })

      test('listByState: gives only the keys in the given states', async (use) => {
        const states: readonly SigningKeyState[] = ['active', 'previous', 'retired', 'compromised']
        const keys = []
        for (const [index, state] of states.entries()) {
          keys.push(await storeKey(use, { state, createdAt: minutesLater(index) }))
        }
        const [active, previous, retired, compromised] = keys as [
          SigningKeyRecord,
          SigningKeyRecord,
          SigningKeyRecord,
          SigningKeyRecord,
        ]
        const list = (wanted: readonly SigningKeyState[]) => use((r) => r.signingKeys.listByState(wanted))
        const verifying = await list(['active', 'previous'])
        expect(onlyMine(verifying, keys)).toEqual([previous, active])
        expect(verifying.every((key) => key.state === 'active' || key.state === 'previous')).toBe(true)
        expect(onlyMine(await list(['compromised']), keys)).toEqual([compromised])
        expect(onlyMine(await list(['retired', 'compromised']), keys)).toEqual([compromised, retired])
        expect(onlyMine(await list(states), keys)).toEqual([compromised, retired, previous, active])
      })

      test('listByState: no states gives no keys', async (use) => {
        await storeKey(use)
        expect(await use((r) => r.signingKeys.listByState([]))).toEqual([])
      })

      test('updateState: returns the key with the new state and updatedAt = now, every other field unchanged', async (use) => {
        const key = rsaKey({ state: 'active' })
        await use((r) => r.signingKeys.insert(key))
        const other = await storeKey(use)
        const now = minutesLater(3)
        const updated = await use((r) => r.signingKeys.updateState(key.kid, 'previous', now))
        expect(updated).toEqual({ ...key, state: 'previous', updatedAt: now })
        expect(await use((r) => r.signingKeys.findByKid(key.kid))).toEqual(updated)
        expect(await use((r) => r.signingKeys.findByKid(other.kid))).toEqual(other)
        expect(onlyMine(await use((r) => r.signingKeys.listByState(['active'])), [key])).toEqual([])
        expect(onlyMine(await use((r) => r.signingKeys.listByState(['previous'])), [key])).toEqual([updated])
      })

      test('updateState: setting the state a key already has still gives the key, with updatedAt = now', async (use) => {
        const key = await storeKey(use, { state: 'retired' })
        const now = minutesLater(3)
        expect(await use((r) => r.signingKeys.updateState(key.kid, 'retired', now))).toEqual({
          ...key,
          updatedAt: now,
        })
      })

      test('updateState: an unknown kid gives null', async (use) => {
        expect(
          await use((r) => r.signingKeys.updateState(randomUuid(), 'retired', minutesLater(3))),
        ).toBeNull()
      })

      test('updatePrivateJwk: replaces the private part only (updatedAt unchanged) and returns the key; the same value again still gives it', async (use) => {
        const key = rsaKey({ state: 'active' })
        await use((r) => r.signingKeys.insert(key))
        const other = await storeKey(use)
        const encrypted = { enc: 'A256GCM', kek: 'kek-1', iv: randomHash(), ct: awkwardText(600) }
        const updated = await use((r) => r.signingKeys.updatePrivateJwk(key.kid, encrypted))
        expect(updated).toEqual({ ...key, privateJwk: encrypted })
        expect(await use((r) => r.signingKeys.findByKid(key.kid))).toEqual(updated)
        expect(await use((r) => r.signingKeys.updatePrivateJwk(key.kid, encrypted))).toEqual(updated)
        expect(await use((r) => r.signingKeys.findByKid(other.kid))).toEqual(other)
      })

      test('updatePrivateJwk: an unknown kid gives null', async (use) => {
        expect(await use((r) => r.signingKeys.updatePrivateJwk(randomUuid(), { kty: 'OKP' }))).toBeNull()
      })
    })
  })
}
