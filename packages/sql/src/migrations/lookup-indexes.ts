import type { TableName } from '../table-names.js'

/** One lookup the core (or an outbox relay) makes, and the columns of the index that serves it. */
export interface LookupIndex {
  /** What is looked up, in the port's words. */
  readonly lookup: string
  readonly table: TableName
  /** The index's leading columns, in order: the equality columns, then the order column if any. */
  readonly columns: readonly string[]
  /** A primary key or unique index. */
  readonly unique: boolean
}

/**
 * Every lookup the repositories make, with the index a migration creates for it: each is
 * an equality lookup on the leading columns of an index (a primary key, a unique index or a plain
 * one). Tests check each one exists in a migrated database.
 */
export const LOOKUP_INDEXES: readonly LookupIndex[] = [
  {
    lookup: 'ClientRepository: findById, update, updateSecret, revoke',
    table: 'clients',
    columns: ['id'],
    unique: true,
  },
  {
    lookup: 'ClientRepository: list (0011_client_administration)',
    table: 'clients',
    columns: ['created_at', 'id'],
    unique: false,
  },
  {
    lookup: 'AuthorizationCodeRepository: findByHash, consume',
    table: 'authorization_codes',
    columns: ['code_hash'],
    unique: true,
  },
  {
    lookup: 'AuthorizationCodeRepository: deleteByClient',
    table: 'authorization_codes',
    columns: ['client_id'],
    unique: false,
  },
  {
    lookup: 'AuthorizationCodeRepository: deleteByUser (0009_user_code_revocation)',
    table: 'authorization_codes',
    columns: ['user_id', 'client_id'],
    unique: false,
  },
  {
    lookup: 'AccessTokenRepository: findById, revoke',
    table: 'access_tokens',
    columns: ['id'],
    unique: true,
  },
  {
    lookup: 'AccessTokenRepository: findByHash',
    table: 'access_tokens',
    columns: ['token_hash'],
    unique: true,
  },
  {
    lookup: 'AccessTokenRepository: revokeFamily',
    table: 'access_tokens',
    columns: ['family_id'],
    unique: false,
  },
  {
    lookup: 'AccessTokenRepository: revokeByClient',
    table: 'access_tokens',
    columns: ['client_id'],
    unique: false,
  },
  {
    lookup: 'AccessTokenRepository: revokeByUser (0006_user_revocation)',
    table: 'access_tokens',
    columns: ['user_id', 'client_id'],
    unique: false,
  },
  {
    lookup: 'RefreshTokenRepository: findByHash, markRotated',
    table: 'refresh_tokens',
    columns: ['token_hash'],
    unique: true,
  },
  { lookup: 'RefreshTokenRepository: revoke', table: 'refresh_tokens', columns: ['id'], unique: true },
  {
    lookup: 'RefreshTokenRepository: findByParentId (newest by createdAt)',
    table: 'refresh_tokens',
    columns: ['parent_id', 'created_at'],
    unique: false,
  },
  {
    lookup: 'RefreshTokenRepository: revokeFamily',
    table: 'refresh_tokens',
    columns: ['family_id'],
    unique: false,
  },
  {
    lookup: 'RefreshTokenRepository: revokeByClient',
    table: 'refresh_tokens',
    columns: ['client_id'],
    unique: false,
  },
  {
    lookup: 'RefreshTokenRepository: revokeByUser (0006_user_revocation)',
    table: 'refresh_tokens',
    columns: ['user_id', 'client_id'],
    unique: false,
  },
  {
    lookup: 'ConsentRepository: find, upsert, delete',
    table: 'consents',
    columns: ['client_id', 'user_id'],
    unique: true,
  },
  { lookup: 'ConsentRepository: deleteByClient', table: 'consents', columns: ['client_id'], unique: true },
  {
    lookup: 'ConsentTicketRepository: consume',
    table: 'consent_tickets',
    columns: ['nonce_hash'],
    unique: true,
  },
  {
    lookup: 'ConsentRepository: listByUser, deleteByUser (0006_user_revocation)',
    table: 'consents',
    columns: ['user_id', 'client_id'],
    unique: false,
  },
  {
    lookup: 'SigningKeyRepository: findByKid, updateState',
    table: 'signing_keys',
    columns: ['kid'],
    unique: true,
  },
  {
    lookup: 'SigningKeyRepository: listByState (newest by createdAt)',
    table: 'signing_keys',
    columns: ['state', 'created_at'],
    unique: false,
  },
  {
    lookup: 'outbox relay: undelivered events in id order',
    table: 'event_outbox',
    columns: ['delivered_at', 'id'],
    unique: false,
  },
  {
    lookup: 'outbox relay: undelivered events of one aggregate in id order',
    table: 'event_outbox',
    columns: ['aggregate_id', 'delivered_at', 'id'],
    unique: false,
  },
  {
    lookup: 'outbox: event by id (deduplication)',
    table: 'event_outbox',
    columns: ['event_id'],
    unique: true,
  },
]
