export type { PruneExpiredOptions, PruneExpiredResult } from '@sp-oauth/sql'
export type {
  PostgresConnection,
  PostgresStorage,
  PostgresStorageOptions,
} from './create-postgres-storage.js'
export { createPostgresStorage } from './create-postgres-storage.js'
export type { PGliteClient } from './pglite-dialect.js'
export { PGliteDialect } from './pglite-dialect.js'
