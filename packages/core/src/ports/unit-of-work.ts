import type { AccessTokenRepository } from './access-token-repository.js'
import type { AuthorizationCodeRepository } from './authorization-code-repository.js'
import type { ClientRepository } from './client-repository.js'
import type { ConsentRepository } from './consent-repository.js'
import type { EventOutboxRepository } from './event-publisher.js'
import type { RefreshTokenRepository } from './refresh-token-repository.js'
import type { SigningKeyRepository } from './signing-key-repository.js'

/** Every storage port, all bound to one connection or transaction. */
export interface Repositories {
  readonly clients: ClientRepository
  readonly authorizationCodes: AuthorizationCodeRepository
  readonly accessTokens: AccessTokenRepository
  readonly refreshTokens: RefreshTokenRepository
  readonly consents: ConsentRepository
  readonly signingKeys: SigningKeyRepository
}

/** The repositories a unit of work hands out, plus the outbox when the storage has one. */
export interface TransactionalRepositories extends Repositories {
  /**
   * When present, the core writes the events of the unit of work here, inside the transaction,
   * and a relay publishes them; when absent, the core publishes them itself after commit.
   */
  readonly outbox?: EventOutboxRepository
}

/** The transaction boundary. */
export interface UnitOfWork {
  /**
   * Runs `work` with repositories bound to one transaction. When `work` resolves, the transaction
   * commits and `run` resolves with its value; when `work` rejects, every change it made is rolled
   * back and `run` rejects with the same error. A failed commit rejects too, and leaves nothing.
   */
  run<T>(work: (repositories: TransactionalRepositories) => Promise<T>): Promise<T>
}
