// The SQL storages' lookups by key, whose statements are compiled once per storage: each is one
// statement, and sent again with another key it answers for that key. The storage contract checks
// what each lookup returns (in and out of a unit of work, and that a credential of another client
// is left out); this adds the statement count, on every SQL backend.
import type { Repositories } from '@sp-oauth/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CountedBackend,
  type CountedTables,
  type IssuingStorage,
  statementsOf,
} from './counted-storage.js'
import { storeCode, storeRefreshToken } from './issuance-fixtures.js'

/** What one stored grant is found by, and what each lookup must return for it. */
async function storedGrant(storage: IssuingStorage) {
  const { client, access, refresh } = await storeRefreshToken(storage)
  const { code } = await storeCode(storage)
  const codeClient = await storage.repositories.clients.findById(code.clientId)
  return { client, access, refresh, code, codeClient }
}

type Grant = Awaited<ReturnType<typeof storedGrant>>

/** Each lookup by key, and what it returns for `grant`. */
const LOOKUPS: readonly {
  readonly name: string
  readonly find: (repositories: Repositories, grant: Grant) => Promise<unknown> | undefined
  readonly expected: (grant: Grant) => unknown
}[] = [
  {
    name: 'clients.findById',
    find: (r, grant) => r.clients.findById(grant.client.id),
    expected: (grant) => grant.client,
  },
  {
    name: 'accessTokens.findById',
    find: (r, grant) => r.accessTokens.findById(grant.access.id),
    expected: (grant) => grant.access,
  },
  {
    name: 'accessTokens.findByHash',
    find: (r, grant) => r.accessTokens.findByHash(grant.access.tokenHash!),
    expected: (grant) => grant.access,
  },
  {
    name: 'accessTokens.findBearerByHash',
    find: (r, grant) => r.accessTokens.findBearerByHash?.(grant.access.tokenHash!),
    expected: (grant) => expect.objectContaining({ id: grant.access.id, userId: grant.access.userId }),
  },
  {
    name: 'refreshTokens.findByHash',
    find: (r, grant) => r.refreshTokens.findByHash(grant.refresh.tokenHash),
    expected: (grant) => grant.refresh,
  },
  {
    name: 'authorizationCodes.findByHash',
    find: (r, grant) => r.authorizationCodes.findByHash(grant.code.codeHash),
    expected: (grant) => grant.code,
  },
  {
    name: 'refreshTokens.findByHashWithClient',
    find: (r, grant) => r.refreshTokens.findByHashWithClient?.(grant.refresh.tokenHash, grant.client.id),
    expected: (grant) => ({ client: grant.client, record: grant.refresh }),
  },
  {
    name: 'authorizationCodes.findByHashWithClient',
    find: (r, grant) => r.authorizationCodes.findByHashWithClient?.(grant.code.codeHash, grant.code.clientId),
    expected: (grant) => ({ client: grant.codeClient, record: grant.code }),
  },
]

/**
 * The lookup suite: every lookup by key, and every read of a code or refresh token with its
 * client, sends one statement, and answers for the key it was given though its statement was
 * compiled for another.
 */
export function lookupSuite(backend: CountedBackend): void {
  describe(`lookups by key on ${backend.name}`, () => {
    let opened: CountedTables | undefined

    // The hook timeout is the packages' shared one: opening PGlite is slow on a loaded machine.
    beforeAll(async () => {
      opened = await backend.open()
    })

    afterAll(async () => {
      await opened?.close()
    })

    it('each lookup by key, and each read of a credential with its client, is one statement; sent again with another key, it returns that key’s rows', async () => {
      if (opened === undefined) throw new Error('the tables exist only while the suite runs')
      const { faults } = opened
      const storage = opened.storage({ outbox: false })
      const grants = [await storedGrant(storage), await storedGrant(storage)]
      for (const [index, grant] of grants.entries()) {
        for (const lookup of LOOKUPS) {
          const label = `${lookup.name}, key ${index + 1}`
          const { result, statements } = await statementsOf(faults, async () =>
            lookup.find(storage.repositories, grant),
          )
          expect(result, label).toEqual(lookup.expected(grant))
          expect(statements, label).toHaveLength(1)
        }
      }
    })
  })
}
