// @sp-oauth/core/testing: what storage adapters and applications need to test against the core.
// Imports `vitest` (an optional peer dependency of @sp-oauth/core) for the contract suites.

export { accessTokenRepositoryContract } from './access-token-repository-contract.js'
export { atomicIssuanceContract } from './atomic-issuance-contract.js'
export { authorizationCodeRepositoryContract } from './authorization-code-repository-contract.js'
export { clientRepositoryContract } from './client-repository-contract.js'
export { consentRepositoryContract } from './consent-repository-contract.js'
export { consentTicketRepositoryContract } from './consent-ticket-repository-contract.js'
export { eventOutboxReaderContract } from './event-outbox-reader-contract.js'
export type { FakeClock } from './fake-clock.js'
export { createFakeClock } from './fake-clock.js'
export { type RateLimiterFactory, rateLimiterContract } from './rate-limiter-contract.js'
export {
  buildAccessTokenRecord,
  buildAuthorizationCodeRecord,
  buildClientRecord,
  buildConsentRecord,
  buildRefreshTokenRecord,
  buildSigningKeyRecord,
} from './record-builders.js'
export { refreshTokenRepositoryContract } from './refresh-token-repository-contract.js'
export { signingKeyRepositoryContract } from './signing-key-repository-contract.js'
export { storageContract } from './storage-contract.js'
export type { StorageContractOptions, StorageFactory, StorageUnderTest } from './storage-factory.js'
export { storedSecretsContract } from './stored-secrets-contract.js'
export { tokenLifecycleContract } from './token-lifecycle-contract.js'
export { unitOfWorkContract } from './unit-of-work-contract.js'
