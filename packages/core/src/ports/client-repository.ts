import type { ClientRecord } from '../domain/client.js'

/** What an administrator may change of a client: its metadata, never its id, kind or secret. */
export type ClientChanges = Partial<
  Pick<
    ClientRecord,
    | 'name'
    | 'redirectUris'
    | 'allowedGrants'
    | 'allowedScopes'
    | 'applicationType'
    | 'silentConsent'
    | 'resourceServer'
    | 'tokenEndpointAuthMethod'
    | 'accessTokenTtlMinutes'
    | 'refreshTokenTtlDays'
  >
>

/** One page of {@link ClientRepository.list}. */
export interface ClientListQuery {
  /** The last client of the previous page: the page starts after it. `null`: from the first. */
  readonly after: { readonly createdAt: Date; readonly id: string } | null
  /** At most this many clients: a whole number from 1 to 1,001. */
  readonly limit: number
  /** Revoked clients too; otherwise only clients that are not revoked. */
  readonly includeRevoked: boolean
  /**
   * Only clients whose name contains it or whose id starts with it, ignoring case (ASCII letters
   * at least); `%`, `_` and every other character match only themselves. `null`: every client.
   */
  readonly search: string | null
}

/** Stores registered clients. */
export interface ClientRepository {
  /** Stores a new client. Throws if a client with the same id exists (ids are fresh UUIDs). */
  insert(client: ClientRecord): Promise<void>
  /** The client with this id, revoked or not; `null` when there is none. */
  findById(clientId: string): Promise<ClientRecord | null>
  /**
   * Clients in the order they were registered (`createdAt`, then `id`), from the one after
   * `query.after`: keyset pagination, served by an index on `(createdAt, id)`, so a page costs the
   * same wherever it starts. Optional: without it `listClients` refuses with a `ConfigurationError`
   * (the storages of sp-oauth have it).
   */
  list?(query: ClientListQuery): Promise<readonly ClientRecord[]>
  /**
   * Writes `changes` (only the fields given) to a client that is not revoked and whose `updatedAt`
   * still equals `ifUpdatedAt`, and sets `updatedAt` to `now` (later than `ifUpdatedAt`): a
   * compare-and-set, so of two updates made from the same read, one wins and the other gets `null`
   * and reads again. Returns the updated record, or `null` when the client does not exist, is
   * revoked or changed since `ifUpdatedAt`. Optional: without it `updateClient` refuses with a
   * `ConfigurationError` (the storages of sp-oauth have it).
   */
  update?(
    clientId: string,
    changes: ClientChanges,
    now: Date,
    ifUpdatedAt: Date,
  ): Promise<ClientRecord | null>
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
