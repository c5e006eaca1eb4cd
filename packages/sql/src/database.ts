import type { ColumnType } from 'kysely'

/**
 * A column holding JSON: written as JSON text, read back as whatever the driver makes of it (text,
 * or a value the driver already parsed); {@link SqlDialect.decodeJson} turns it into the value.
 */
export type JsonColumn = ColumnType<unknown, string, string>

/** A column holding an instant, to the millisecond: written as a `Date`, read back through the dialect. */
export type TimestampColumn = ColumnType<unknown, Date, Date>

/** An instant that may be missing. */
export type NullableTimestampColumn = ColumnType<unknown, Date | null, Date | null>

/** A boolean: written as one, read back through the dialect (MySQL gives `0`/`1`). */
export type BooleanColumn = ColumnType<unknown, boolean, boolean>

/** Registered clients. */
export interface ClientTable {
  id: string
  name: string
  redirect_uris: JsonColumn
  allowed_grants: JsonColumn
  allowed_scopes: JsonColumn
  confidential: BooleanColumn
  /** `web` or `native` (migration `0004_client_application_type`). */
  application_type: string
  /** Whether a remembered consent may skip the screen (migration `0004_client_application_type`). */
  silent_consent: BooleanColumn
  /** Added by `0008_client_resource_server`. */
  resource_server: BooleanColumn
  /** `client_secret_basic`, `client_secret_post`, `none` or `NULL` (either secret method); added by `0011_client_administration`. */
  token_endpoint_auth_method: string | null
  /** Added by `0011_client_administration`; `NULL`: the server's. */
  access_token_ttl_minutes: number | null
  /** Added by `0011_client_administration`; `NULL`: the server's. */
  refresh_token_ttl_days: number | null
  secret_hash: string | null
  secret_hash_key_id: string | null
  created_at: TimestampColumn
  updated_at: TimestampColumn
  revoked_at: NullableTimestampColumn
}

/** Authorization codes, by hash. */
export interface AuthorizationCodeTable {
  code_hash: string
  hash_key_id: string
  grant_id: string
  client_id: string
  user_id: string
  redirect_uri: string
  redirect_uri_explicit: BooleanColumn
  scopes: JsonColumn
  claims: JsonColumn
  code_challenge: string | null
  code_challenge_method: string | null
  created_at: TimestampColumn
  expires_at: TimestampColumn
  consumed_at: NullableTimestampColumn
}

/** Access tokens: opaque ones with their hash, JWTs by id only. */
export interface AccessTokenTable {
  id: string
  token_hash: string | null
  hash_key_id: string | null
  format: string
  client_id: string
  user_id: string | null
  grant_type: string
  scopes: JsonColumn
  claims: JsonColumn
  family_id: string | null
  created_at: TimestampColumn
  expires_at: TimestampColumn
  revoked_at: NullableTimestampColumn
}

/** Refresh tokens, by hash, linked in rotation families. */
export interface RefreshTokenTable {
  id: string
  token_hash: string
  hash_key_id: string
  family_id: string
  parent_id: string | null
  client_id: string
  user_id: string | null
  scopes: JsonColumn
  claims: JsonColumn
  access_token_id: string | null
  family_created_at: TimestampColumn
  created_at: TimestampColumn
  expires_at: TimestampColumn
  rotated_at: NullableTimestampColumn
  revoked_at: NullableTimestampColumn
}

/** Remembered consents, one per client and user. */
export interface ConsentTable {
  client_id: string
  user_id: string
  scopes: JsonColumn
  claims: JsonColumn
  created_at: TimestampColumn
  updated_at: TimestampColumn
}

/** Used consent tickets, by the hash of their nonce (migration `0007_consent_tickets`). */
export interface ConsentTicketTable {
  nonce_hash: string
  expires_at: TimestampColumn
  consumed_at: TimestampColumn
}

/** JWT signing keys. */
export interface SigningKeyTable {
  kid: string
  algorithm: string
  state: string
  public_jwk: JsonColumn
  private_jwk: JsonColumn
  created_at: TimestampColumn
  updated_at: TimestampColumn
}

/**
 * The transactional outbox: events written with the change they report. `id` grows with every
 * append, so a relay reads undelivered rows in `id` order (`FOR UPDATE SKIP LOCKED`) and sets
 * `delivered_at` once they are published.
 */
export interface EventOutboxTable {
  /** Given by the database (identity / auto-increment); read back as a number, bigint or string. */
  id: ColumnType<unknown, never, never>
  event_id: string
  type: string
  /** The client the event is about, `client:<clientId>` (`client:unknown` when it names none). */
  aggregate_id: string
  /** The whole event as JSON, `occurredAt` as an ISO 8601 string. */
  payload: JsonColumn
  occurred_at: TimestampColumn
  delivered_at: NullableTimestampColumn
}

/**
 * The tables by their logical names. Physical names carry the configured prefix (and, on
 * PostgreSQL, the schema); {@link TableNamePlugin} maps one to the other in every query.
 */
export interface SpOAuthDatabase {
  clients: ClientTable
  authorization_codes: AuthorizationCodeTable
  access_tokens: AccessTokenTable
  refresh_tokens: RefreshTokenTable
  consents: ConsentTable
  consent_tickets: ConsentTicketTable
  signing_keys: SigningKeyTable
  event_outbox: EventOutboxTable
}
