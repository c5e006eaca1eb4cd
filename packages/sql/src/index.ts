// @sp-oauth/sql: internal to sp-oauth. The Kysely repositories, unit of work and migrations that
// @sp-oauth/postgres and @sp-oauth/mysql share. Do not depend on it directly: its API follows
// theirs and may change in any release.

export type { ClosableSqlStorage, SqlStorage, SqlStorageConfig } from './create-sql-storage.js'
export { closableSqlStorage, createSqlStorage } from './create-sql-storage.js'
export type {
  AccessTokenTable,
  AuthorizationCodeTable,
  BooleanColumn,
  ClientTable,
  ConsentTable,
  EventOutboxTable,
  JsonColumn,
  NullableTimestampColumn,
  RefreshTokenTable,
  SigningKeyTable,
  SpOAuthDatabase,
  TimestampColumn,
} from './database.js'
export type { LookupIndex } from './migrations/lookup-indexes.js'
export { LOOKUP_INDEXES } from './migrations/lookup-indexes.js'
export { migrateToLatest, spOAuthMigrations } from './migrations/migrate-to-latest.js'
export type { PruneIndex } from './migrations/prune-indexes.js'
export { PRUNE_INDEXES } from './migrations/prune-indexes.js'
export { createSqlEventOutboxReader } from './outbox/sql-event-outbox-reader.js'
export type { PruneExpiredOptions, PruneExpiredResult } from './prune-expired.js'
export { DEFAULT_PRUNE_OPTIONS, pruneExpired } from './prune-expired.js'
export type { RetryPolicy } from './retry-policy.js'
export { DEFAULT_RETRY_POLICY } from './retry-policy.js'
export type { MigrationDb, SqlDataType, SqlDialect, SqlSchemaTypes } from './sql-dialect.js'
export { asStorageUnavailable, errorCode, NETWORK_ERROR_CODES } from './storage-unavailable.js'
export { TableNamePlugin } from './table-name-plugin.js'
export type { SqlStorageOptions, TableName, TableNames } from './table-names.js'
export { DEFAULT_TABLE_PREFIX, resolveTableNames, TABLE_NAMES } from './table-names.js'
