import type { AccessTokenRepository } from './access-token-repository.js'
import type { AuthorizationCodeRepository } from './authorization-code-repository.js'
import type { ClientRepository } from './client-repository.js'
import type { ConsentRepository } from './consent-repository.js'
import type { ConsentTicketRepository } from './consent-ticket-repository.js'
import type { EventOutboxRepository } from './event-publisher.js'
import type { RefreshTokenRepository } from './refresh-token-repository.js'
import type { SigningKeyRepository } from './signing-key-repository.js'

/**
 * Every storage port, all bound to one connection or transaction.
 *
 * Rules every storage port shares: strings are stored and compared exactly (case, accents and
 * trailing spaces matter: use binary, no-pad collations); hashes are base64url strings of 43
 * characters; dates keep at least millisecond precision up to 2099; records passed in or handed out
 * are never kept by reference. Methods documented as throwing reject with the storage's own error.
 */
export interface Repositories {
  readonly clients: ClientRepository
  readonly authorizationCodes: AuthorizationCodeRepository
  readonly accessTokens: AccessTokenRepository
  readonly refreshTokens: RefreshTokenRepository
  readonly consents: ConsentRepository
  /** Used consent tickets, so each consent form is answered once. */
  readonly consentTickets: ConsentTicketRepository
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
   *
   * An implementation may call `work` again from the start after a serialization failure or
   * deadlock (each call gets fresh repositories), and should, a bounded number of times: of
   * concurrent units racing for one row, the losers should then see the winner's change instead of
   * failing. Only when its retries are used up may such a failure escape (as a rejection).
   */
  run<T>(work: (repositories: TransactionalRepositories) => Promise<T>): Promise<T>
}
