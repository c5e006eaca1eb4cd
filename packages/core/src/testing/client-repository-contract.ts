import { describe, expect } from 'vitest'
import type { ClientRecord } from '../domain/client.js'
import {
  awkwardText,
  forEachAccessMode,
  forEachConcurrentMode,
  inParallel,
  minutesLater,
  nonNull,
  scribble,
} from './contract-support.js'
import { buildClientRecord, instantAfter, randomHash, randomUuid } from './record-builders.js'
import { type StorageContractOptions, type StorageFactory, useStorageUnderTest } from './storage-factory.js'

/** A client with every field set to something a careless storage would mangle. */
function awkwardClient(): ClientRecord {
  return buildClientRecord({
    name: awkwardText(1000),
    redirectUris: [
      `https://client.example.com/${awkwardText(1000 - 27)}`,
      'com.example.app:/callback',
      'http://127.0.0.1:8080/cb?a=1&b="2"',
    ],
    allowedGrants: ['refresh_token', 'client_credentials', 'authorization_code'],
    allowedScopes: ['z.write', 'a:read', 'm'],
    createdAt: instantAfter(1),
    updatedAt: instantAfter(999),
  })
}

/** A random instant in the 29th century: list tests page from there, past every other test's clients. */
function farFutureInstant(): Date {
  return new Date(Date.UTC(2800, 0, 1) + Math.floor(Math.random() * 3e12))
}

/** The record without `updatedAt`, for changes whose `updatedAt` the port leaves open. */
function withoutUpdatedAt(client: ClientRecord): Omit<ClientRecord, 'updatedAt'> {
  const { updatedAt: _updatedAt, ...rest } = client
  return rest
}

/**
 * The contract of `ClientRepository`: round trips of every field, duplicate ids, `updateSecret`
 * and `revoke` with their results and idempotence, and concurrent revocation (exactly one caller
 * revokes). Each test runs through `storage.repositories`, through a unit of work per call, and
 * inside one unit of work.
 *
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 */
export function clientRepositoryContract(
  factory: StorageFactory,
  options: StorageContractOptions = {},
): void {
  describe('ClientRepository', () => {
    const subject = useStorageUnderTest(factory)

    forEachAccessMode(subject, (test, mode) => {
      test('insert then findById: every field comes back equal (unicode, quotes, 1000 characters, array order, ms dates)', async (use) => {
        const client = awkwardClient()
        await use((r) => r.clients.insert(client))
        expect(await use((r) => r.clients.findById(client.id))).toEqual(client)
      })

      test('insert then findById: a public native client (no secret, no scopes, no silent consent) and a revoked client come back equal', async (use) => {
        const publicClient = buildClientRecord({
          confidential: false,
          applicationType: 'native',
          silentConsent: false,
          secretHash: null,
          secretHashKeyId: null,
          allowedGrants: ['authorization_code'],
          allowedScopes: [],
        })
        const revokedClient = buildClientRecord({ revokedAt: instantAfter(59_999) })
        await use((r) => r.clients.insert(publicClient))
        await use((r) => r.clients.insert(revokedClient))
        expect(await use((r) => r.clients.findById(publicClient.id))).toEqual(publicClient)
        expect(await use((r) => r.clients.findById(revokedClient.id))).toEqual(revokedClient)
      })

      test('insert then findById: the resource server flag comes back as stored, true and false', async (use) => {
        const resourceServer = buildClientRecord({ resourceServer: true })
        const plain = buildClientRecord({ resourceServer: false })
        await use((r) => r.clients.insert(resourceServer))
        await use((r) => r.clients.insert(plain))
        expect((await use((r) => r.clients.findById(resourceServer.id)))?.resourceServer).toBe(true)
        expect((await use((r) => r.clients.findById(plain.id)))?.resourceServer).toBe(false)
      })

      test('findById: an unknown id gives null', async (use) => {
        await use((r) => r.clients.insert(buildClientRecord()))
        expect(await use((r) => r.clients.findById(randomUuid()))).toBeNull()
      })

      test('the stored client does not change when the caller changes the objects it passed or got', async (use) => {
        const client = awkwardClient()
        const expected = structuredClone(client)
        await use((r) => r.clients.insert(client))
        scribble(client)
        scribble(await use((r) => r.clients.findById(expected.id)))
        expect(await use((r) => r.clients.findById(expected.id))).toEqual(expected)
      })

      if (mode.survivesErrors) {
        test('insert: a second client with the same id is rejected, and the first one is kept', async (use) => {
          const client = buildClientRecord()
          await use((r) => r.clients.insert(client))
          await expect(
            use((r) => r.clients.insert(buildClientRecord({ id: client.id, name: 'Impostor' }))),
          ).rejects.toThrow()
          expect(await use((r) => r.clients.findById(client.id))).toEqual(client)
        })
      }

      test('updateSecret: replaces the hash and its key id, sets updatedAt to now, keeps every other field', async (use) => {
        const client = awkwardClient()
        const other = buildClientRecord()
        await use((r) => r.clients.insert(client))
        await use((r) => r.clients.insert(other))
        const secret = { secretHash: randomHash(), secretHashKeyId: 'k2' }
        const now = minutesLater(3)
        const updated = await use((r) => r.clients.updateSecret(client.id, secret, now))
        expect(updated).toEqual({ ...client, ...secret, updatedAt: now })
        expect(await use((r) => r.clients.findById(client.id))).toEqual(updated)
        expect(await use((r) => r.clients.findById(other.id))).toEqual(other)
      })

      test('updateSecret: the same hash twice gives the updated client both times (idempotent)', async (use) => {
        const client = buildClientRecord()
        await use((r) => r.clients.insert(client))
        const secret = { secretHash: randomHash(), secretHashKeyId: 'k2' }
        const now = minutesLater(3)
        const first = await use((r) => r.clients.updateSecret(client.id, secret, now))
        const second = await use((r) => r.clients.updateSecret(client.id, secret, now))
        expect(first).toEqual({ ...client, ...secret, updatedAt: now })
        expect(second).toEqual(first)
        expect(await use((r) => r.clients.findById(client.id))).toEqual(first)
      })

      test('updateSecret: stores only the hash and key id, whatever else the argument object carries', async (use) => {
        const client = buildClientRecord()
        await use((r) => r.clients.insert(client))
        const secret = { secretHash: randomHash(), secretHashKeyId: 'k2', name: 'Renamed', revokedAt: null }
        const now = minutesLater(3)
        const expected = { ...client, secretHash: secret.secretHash, secretHashKeyId: 'k2', updatedAt: now }
        expect(await use((r) => r.clients.updateSecret(client.id, secret, now))).toEqual(expected)
        expect(await use((r) => r.clients.findById(client.id))).toEqual(expected)
      })

      test('updateSecret: an unknown client gives null', async (use) => {
        const secret = { secretHash: randomHash(), secretHashKeyId: 'k2' }
        expect(await use((r) => r.clients.updateSecret(randomUuid(), secret, minutesLater(3)))).toBeNull()
      })

      test('updateSecret: a revoked client gives null and keeps its old secret', async (use) => {
        const client = buildClientRecord({ revokedAt: minutesLater(1) })
        await use((r) => r.clients.insert(client))
        const secret = { secretHash: randomHash(), secretHashKeyId: 'k2' }
        expect(await use((r) => r.clients.updateSecret(client.id, secret, minutesLater(3)))).toBeNull()
        expect(await use((r) => r.clients.findById(client.id))).toEqual(client)
      })

      test('insert then findById: the authentication method and the lifetimes come back as stored, set and null', async (use) => {
        const post = buildClientRecord({
          tokenEndpointAuthMethod: 'client_secret_post',
          accessTokenTtlMinutes: 15,
          refreshTokenTtlDays: 7,
        })
        const basic = buildClientRecord({ tokenEndpointAuthMethod: 'client_secret_basic' })
        const publicClient = buildClientRecord({
          confidential: false,
          tokenEndpointAuthMethod: 'none',
          secretHash: null,
          secretHashKeyId: null,
        })
        const either = buildClientRecord({ tokenEndpointAuthMethod: null })
        for (const client of [post, basic, publicClient, either]) {
          await use((r) => r.clients.insert(client))
          expect(await use((r) => r.clients.findById(client.id))).toEqual(client)
        }
      })

      test('revoke: returns the client as revoked by this call (revokedAt = now, all else but updatedAt kept)', async (use) => {
        const client = awkwardClient()
        const other = buildClientRecord()
        await use((r) => r.clients.insert(client))
        await use((r) => r.clients.insert(other))
        const now = minutesLater(3)
        const revoked = await use((r) => r.clients.revoke(client.id, now))
        expect(revoked).not.toBeNull()
        expect(withoutUpdatedAt(revoked!)).toEqual({ ...withoutUpdatedAt(client), revokedAt: now })
        expect(revoked!.updatedAt).toBeInstanceOf(Date)
        expect(await use((r) => r.clients.findById(client.id))).toEqual(revoked)
        expect(await use((r) => r.clients.findById(other.id))).toEqual(other)
      })

      test('revoke: a second revoke gives null and keeps the first revocation time', async (use) => {
        const client = buildClientRecord()
        await use((r) => r.clients.insert(client))
        const first = await use((r) => r.clients.revoke(client.id, minutesLater(3)))
        expect(first?.revokedAt).toEqual(minutesLater(3))
        expect(await use((r) => r.clients.revoke(client.id, minutesLater(4)))).toBeNull()
        expect(await use((r) => r.clients.findById(client.id))).toEqual(first)
      })

      test('revoke: an unknown client gives null', async (use) => {
        expect(await use((r) => r.clients.revoke(randomUuid(), minutesLater(3)))).toBeNull()
      })
    })

    forEachConcurrentMode(subject, (test) => {
      test('revoke: of 20 concurrent callers exactly one gets the client, the rest null', async (use) => {
        const client = buildClientRecord()
        await use((r) => r.clients.insert(client))
        const results = await inParallel(20, (i) => use((r) => r.clients.revoke(client.id, minutesLater(i))))
        const winners = nonNull(results)
        expect(winners).toHaveLength(1)
        expect(await use((r) => r.clients.findById(client.id))).toEqual(winners[0])
      })

      test('insert: of 10 concurrent inserts of one id exactly one succeeds', async (use) => {
        const id = randomUuid()
        const candidates = Array.from({ length: 10 }, () => buildClientRecord({ id }))
        const outcomes = await Promise.allSettled(
          candidates.map((client) => use((r) => r.clients.insert(client))),
        )
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
        const winner = candidates[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')]
        expect(await use((r) => r.clients.findById(id))).toEqual(winner)
      })
    })

    if (options.clientAdministration !== false) {
      describe('list and update', () => {
        forEachAccessMode(subject, (test) => {
          test('update: writes the fields given, sets updatedAt to now, keeps the rest', async (use) => {
            const client = awkwardClient()
            const other = buildClientRecord()
            await use((r) => r.clients.insert(client))
            await use((r) => r.clients.insert(other))
            const changes = {
              name: 'Renamed "client" ✓',
              redirectUris: ['https://new.example.com/cb', 'http://127.0.0.1/cb'],
              allowedScopes: ['b', 'a'],
              applicationType: 'native' as const,
              silentConsent: false,
              resourceServer: true,
              tokenEndpointAuthMethod: 'client_secret_basic' as const,
              accessTokenTtlMinutes: 5,
              refreshTokenTtlDays: 2,
            }
            const now = minutesLater(3)
            const updated = await use((r) => r.clients.update!(client.id, changes, now, client.updatedAt))
            expect(updated).toEqual({ ...client, ...changes, updatedAt: now })
            expect(await use((r) => r.clients.findById(client.id))).toEqual(updated)
            expect(await use((r) => r.clients.findById(other.id))).toEqual(other)
          })

          test('update: only while updatedAt is still the one read (compare-and-set); null back to the defaults', async (use) => {
            const client = buildClientRecord({
              tokenEndpointAuthMethod: 'client_secret_post',
              accessTokenTtlMinutes: 10,
              refreshTokenTtlDays: 3,
            })
            await use((r) => r.clients.insert(client))
            const cleared = {
              tokenEndpointAuthMethod: null,
              accessTokenTtlMinutes: null,
              refreshTokenTtlDays: null,
            }
            const first = await use((r) =>
              r.clients.update!(client.id, cleared, minutesLater(3), client.updatedAt),
            )
            expect(first).toEqual({ ...client, ...cleared, updatedAt: minutesLater(3) })
            // The same read again: the client changed since, so nothing is written.
            const stale = await use((r) =>
              r.clients.update!(client.id, { name: 'Stale' }, minutesLater(4), client.updatedAt),
            )
            expect(stale).toBeNull()
            expect(await use((r) => r.clients.findById(client.id))).toEqual(first)
            // The values already stored, from a fresh read: applied (only updatedAt moves).
            const again = await use((r) =>
              r.clients.update!(client.id, cleared, minutesLater(5), first!.updatedAt),
            )
            expect(again).toEqual({ ...first, updatedAt: minutesLater(5) })
          })

          test('update: an unknown client gives null; a revoked one gives null and stays as it was', async (use) => {
            const client = buildClientRecord({ revokedAt: minutesLater(1) })
            await use((r) => r.clients.insert(client))
            const at = client.updatedAt
            expect(
              await use((r) => r.clients.update!(randomUuid(), { name: 'X' }, minutesLater(3), at)),
            ).toBeNull()
            expect(
              await use((r) => r.clients.update!(client.id, { name: 'X' }, minutesLater(3), at)),
            ).toBeNull()
            expect(await use((r) => r.clients.findById(client.id))).toEqual(client)
          })

          test('update: the stored client does not change when the caller changes the objects it passed or got', async (use) => {
            const client = buildClientRecord()
            await use((r) => r.clients.insert(client))
            const changes = { redirectUris: ['https://a.example.com/cb'], allowedScopes: ['x'] }
            const updated = await use((r) =>
              r.clients.update!(client.id, changes, minutesLater(3), client.updatedAt),
            )
            const expected = structuredClone(updated)
            scribble(changes)
            scribble(updated)
            expect(await use((r) => r.clients.findById(client.id))).toEqual(expected)
          })

          test('list: pages through clients in (createdAt, id) order, each exactly once, every field intact', async (use) => {
            const start = farFutureInstant()
            const id = (suffix: string) => `list-${start.getTime()}-${suffix}`
            const at = (offsetMs: number) => new Date(start.getTime() + offsetMs)
            // Inserted out of order; three share an instant, so their ids decide.
            const latest = { ...awkwardClient(), id: id('a'), createdAt: at(5) }
            const tiedThird = buildClientRecord({ id: id('c3'), createdAt: at(0) })
            const tiedFirst = buildClientRecord({ id: id('c1'), createdAt: at(0) })
            const tiedSecond = buildClientRecord({ id: id('c2'), createdAt: at(0) })
            const earliest = buildClientRecord({ id: id('z'), createdAt: at(-1) })
            for (const client of [latest, tiedThird, tiedFirst, tiedSecond, earliest]) {
              await use((r) => r.clients.insert(client))
            }
            const seen: ClientRecord[] = []
            let after = { createdAt: at(-2), id: '' }
            for (let page = 0; page < 4; page++) {
              const found = await use((r) =>
                r.clients.list!({ after, limit: 2, includeRevoked: false, search: null }),
              )
              seen.push(...found.filter((client) => client.id.startsWith(id(''))))
              if (found.length === 0) break
              after = found[found.length - 1]!
            }
            expect(seen).toEqual([earliest, tiedFirst, tiedSecond, tiedThird, latest])
          })

          test('list: revoked clients only with includeRevoked; at most limit clients', async (use) => {
            const start = farFutureInstant()
            const live = buildClientRecord({ createdAt: start })
            const revoked = buildClientRecord({
              createdAt: new Date(start.getTime() + 1),
              revokedAt: minutesLater(1),
            })
            await use((r) => r.clients.insert(live))
            await use((r) => r.clients.insert(revoked))
            const after = { createdAt: new Date(start.getTime() - 1), id: '' }
            const ids = async (includeRevoked: boolean, limit = 10) =>
              (await use((r) => r.clients.list!({ after, limit, includeRevoked, search: null }))).map(
                (c) => c.id,
              )
            expect(await ids(false)).toEqual([live.id])
            expect(await ids(true)).toEqual([live.id, revoked.id])
            expect(await ids(true, 1)).toEqual([live.id])
          })

          test('list: search matches a name containing it or an id starting with it, ignoring case; %, _, ! and \\ only as themselves', async (use) => {
            const tag = randomUuid().slice(0, 8)
            const named = (name: string, id = `${tag}-${randomUuid()}`) => buildClientRecord({ id, name })
            const clients = {
              invoices: named(`Acme Invoices ${tag}`),
              id: named('Something else', `ERP-${tag}-1`),
              percent: named(`100% ${tag}`),
              underscore: named(`a_b ${tag}`),
              lookalike: named(`axb ${tag}`),
              bang: named(`wow! ${tag}`),
              backslash: named(`c:\\dir ${tag}`),
            }
            for (const client of Object.values(clients)) await use((r) => r.clients.insert(client))
            const found = async (search: string) =>
              (await use((r) => r.clients.list!({ after: null, limit: 1001, includeRevoked: true, search })))
                .map((client) => client.id)
                .filter((id) => Object.values(clients).some((client) => client.id === id))
                .sort()
            const ids = (...picked: ClientRecord[]) => picked.map((client) => client.id).sort()
            expect(await found(`INVOICES ${tag.toUpperCase()}`)).toEqual(ids(clients.invoices))
            expect(await found(`erp-${tag}`)).toEqual(ids(clients.id))
            expect(await found(`% ${tag}`)).toEqual(ids(clients.percent))
            expect(await found(`a_b ${tag}`)).toEqual(ids(clients.underscore))
            expect(await found(`! ${tag}`)).toEqual(ids(clients.bang))
            expect(await found(`\\dir ${tag}`)).toEqual(ids(clients.backslash))
            expect(await found(`no such ${tag}`)).toEqual([])
          })
        })

        forEachConcurrentMode(subject, (test) => {
          test('update: of 10 concurrent updates from the same read exactly one is written', async (use) => {
            const client = buildClientRecord()
            await use((r) => r.clients.insert(client))
            const results = await inParallel(10, (i) =>
              use((r) =>
                r.clients.update!(client.id, { name: `Name ${i}` }, minutesLater(i + 1), client.updatedAt),
              ),
            )
            const winners = nonNull(results)
            expect(winners).toHaveLength(1)
            expect(await use((r) => r.clients.findById(client.id))).toEqual(winners[0])
          })
        })
      })
    }
  })
}
