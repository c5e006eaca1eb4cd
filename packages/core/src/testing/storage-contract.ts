import { describe } from 'vitest'
import { accessTokenRepositoryContract } from './access-token-repository-contract.js'
import { atomicIssuanceContract } from './atomic-issuance-contract.js'
import { authorizationCodeRepositoryContract } from './authorization-code-repository-contract.js'
import { clientRepositoryContract } from './client-repository-contract.js'
import { consentRepositoryContract } from './consent-repository-contract.js'
import { consentTicketRepositoryContract } from './consent-ticket-repository-contract.js'
import { defineEventOutboxReaderContract } from './event-outbox-reader-contract.js'
import { refreshTokenRepositoryContract } from './refresh-token-repository-contract.js'
import { signingKeyRepositoryContract } from './signing-key-repository-contract.js'
import type { StorageContractOptions, StorageFactory } from './storage-factory.js'
import { storedSecretsContract } from './stored-secrets-contract.js'
import { tokenLifecycleContract } from './token-lifecycle-contract.js'
import { unitOfWorkContract } from './unit-of-work-contract.js'

/**
 * Every storage contract suite, in one `describe(name)`: run it from a Vitest file of your storage
 * adapter to check it keeps every promise the core relies on.
 *
 * ```ts
 * import { storageContract } from '@sp-oauth/core/testing'
 *
 * storageContract('postgres', async () => {
 *   const db = await createFreshTestDatabase()
 *   return { storage: createPostgresStorage(db), close: () => db.destroy() }
 * })
 * ```
 *
 * Each test gets its own storage from `factory` and closes it afterwards. Besides the round trips,
 * the suites check the rules a database schema can quietly break: hashes and user ids compared
 * exactly (letter case, accents, trailing spaces), strings of 1000 characters with emoji, quotes
 * and backslashes, dates to the millisecond up to 2099-12-31, empty arrays, several access tokens
 * without a hash, and exactly one winner among concurrent `consume`, `markRotated` and `revoke`
 * calls. The suites store a client before the codes, tokens and consents that name it, an access
 * token before the refresh token that names it, and a parent refresh token before its children, so
 * foreign keys on those columns are fine. When the factory returns an `outboxReader`, the
 * `EventOutboxReader` suite runs too (see `eventOutboxReaderContract`); without one its tests pass
 * with nothing to check. The `AtomicIssuance` suite runs against the storage's own issuance (when
 * it offers one) and the core's over its unit of work; the token lifecycle suite runs a real
 * server on the storage (client revocation under traffic, refresh reuse within grace), and
 * `storedSecretsContract` runs real flows and checks that neither a plain PKCE verifier nor a
 * private signing key is stored in clear.
 *
 * @param name the `describe` title, e.g. the adapter's name.
 * @param factory makes a fresh (or isolated) storage for each test; see {@link StorageFactory}.
 * @param options see {@link StorageContractOptions}.
 */
export function storageContract(
  name: string,
  factory: StorageFactory,
  options: StorageContractOptions = {},
): void {
  describe(name, () => {
    clientRepositoryContract(factory, options)
    authorizationCodeRepositoryContract(factory)
    accessTokenRepositoryContract(factory)
    refreshTokenRepositoryContract(factory)
    consentRepositoryContract(factory)
    consentTicketRepositoryContract(factory)
    signingKeyRepositoryContract(factory)
    unitOfWorkContract(factory, options)
    // Checks something only for a storage whose factory returns an `outboxReader`.
    defineEventOutboxReaderContract(factory, options, { readerRequired: false })
    // The storage's own `atomicIssuance` (when it has one) and the core's over its unit of work.
    atomicIssuanceContract(factory)
    tokenLifecycleContract(factory)
    // Real flows of the core: no verifier and no private signing key stored in clear.
    storedSecretsContract(factory)
  })
}
