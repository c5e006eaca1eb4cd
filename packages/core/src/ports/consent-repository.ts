import type { ConsentRecord } from '../domain/consent.js'

/** Stores remembered consents, one per user and client. */
export interface ConsentRepository {
  /** The consent of this user for this client; `null` when there is none. */
  find(userId: string, clientId: string): Promise<ConsentRecord | null>
  /**
   * Creates or replaces the consent of `consent.userId` for `consent.clientId`, every field as given
   * (`createdAt` included), in one atomic step: last writer wins, and concurrent callers never
   * create a duplicate.
   */
  upsert(consent: ConsentRecord): Promise<void>
  /** Deletes the consent; returns whether there was one. Idempotent. */
  delete(userId: string, clientId: string): Promise<boolean>
  /** Deletes every consent given to the client; returns how many. Idempotent. */
  deleteByClient(clientId: string): Promise<number>
  /**
   * Every consent the user has given, ordered by `clientId`; empty when there is none. One query,
   * served by an index on `userId`.
   */
  listByUser(userId: string): Promise<readonly ConsentRecord[]>
  /** Deletes every consent the user has given; returns how many. Idempotent; one statement. */
  deleteByUser(userId: string): Promise<number>
}
