import type { AuthorizationCodeRecord } from '../domain/authorization-code.js'
import type { ClientWithCredential } from './client-with-credential.js'

/** Stores authorization codes, by hash only. */
export interface AuthorizationCodeRepository {
  /** Stores a new, unconsumed code. Throws if the hash exists. */
  insert(code: AuthorizationCodeRecord): Promise<void>
  /** The code with this hash, consumed or not, expired or not; `null` when there is none. */
  findByHash(codeHash: string): Promise<AuthorizationCodeRecord | null>
  /**
   * Optional: the client `clientId` (revoked or not) and, read with it at once, the code with this
   * hash (consumed or not, expired or not) when it was issued to that client, else `record: null`;
   * `null` when there is no such client. A code exchange then authenticates the client and checks
   * the code with one read, and a request with a made-up client or code costs one read too. Without
   * it, the core reads the client (`ClientRepository.findById`), then the code (`findByHash`).
   */
  findByHashWithClient?(
    codeHash: string,
    clientId: string,
  ): Promise<ClientWithCredential<AuthorizationCodeRecord> | null>
  /**
   * Atomically marks the code consumed if it is not yet: of any number of concurrent callers,
   * exactly one gets the record (with `consumedAt` set), the rest `null`. Also `null` when the
   * hash is unknown. Does not look at expiry: the caller checked it.
   */
  consume(codeHash: string, now: Date): Promise<AuthorizationCodeRecord | null>
  /** Deletes every unconsumed code of the client; returns how many. Idempotent. */
  deleteByClient(clientId: string): Promise<number>
  /**
   * Deletes every unconsumed code issued to the user: of one client when `clientId` is a string,
   * of every client when it is `null`. Returns how many. Idempotent; one statement, served by an
   * index on `(userId, clientId)`.
   */
  deleteByUser(userId: string, clientId: string | null): Promise<number>
}
