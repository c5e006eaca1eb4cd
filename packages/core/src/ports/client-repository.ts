import type { ClientRecord } from '../domain/client.js'

/** Stores registered clients. */
export interface ClientRepository {
  /** Stores a new client. Throws if a client with the same id exists (ids are fresh UUIDs). */
  insert(client: ClientRecord): Promise<void>
  /** The client with this id, revoked or not; `null` when there is none. */
  findById(clientId: string): Promise<ClientRecord | null>
  /**
   * Replaces the secret hash (and only it) of a client that is not revoked, and sets `updatedAt` to
   * `now`. Returns the updated record, or
   * `null` when the client does not exist or is revoked. Idempotent for the same hash.
   */
  updateSecret(
    clientId: string,
    secret: { readonly secretHash: string; readonly secretHashKeyId: string },
    now: Date,
  ): Promise<ClientRecord | null>
  /**
   * Marks the client revoked (`revokedAt` and `updatedAt` set to `now`). Returns the record as revoked by this call, or `null` when it does not
   * exist or was already revoked, so of concurrent callers exactly one gets the record.
   */
  revoke(clientId: string, now: Date): Promise<ClientRecord | null>
}
