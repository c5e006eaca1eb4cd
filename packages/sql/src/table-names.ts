import { ConfigurationError } from '@sp-oauth/core'
import type { SpOAuthDatabase } from './database.js'

/** The logical name of each table sp-oauth stores. */
export type TableName = keyof SpOAuthDatabase

/** Every table, in the order the migrations create them (parents before children). */
export const TABLE_NAMES: readonly TableName[] = [
  'clients',
  'authorization_codes',
  'access_tokens',
  'refresh_tokens',
  'consents',
  'signing_keys',
  'event_outbox',
  'consent_tickets',
]

/** Where the tables live. */
export interface SqlStorageOptions {
  /**
   * Put before every table, index and migration table name, so several sets of tables (two
   * applications, or tests) share a database. Lower-case letters, digits and `_`, at most 32
   * characters, not starting with a digit; may be empty. Default `sp_oauth_`.
   */
  readonly tablePrefix?: string
  /** PostgreSQL only: the schema of every table, created by `migrate()` if missing. Default: none (the `search_path`). */
  readonly schema?: string
}

/** The physical names {@link resolveTableNames} derives from the options. */
export interface TableNames {
  readonly prefix: string
  /** `null`: unqualified names, found through the connection's default schema. */
  readonly schema: string | null
  /** Physical table name by logical name. */
  readonly tables: Readonly<Record<TableName, string>>
  /** Kysely's migration table and its lock table, prefixed so two prefixes keep separate histories. */
  readonly migrationTable: string
  readonly migrationLockTable: string
  /** A prefixed index or constraint name (index names are unique per schema on PostgreSQL). */
  index(name: string): string
}

/** The default table prefix. */
export const DEFAULT_TABLE_PREFIX = 'sp_oauth_'

const PREFIX = /^([a-z_][a-z0-9_]*)?$/
const MAX_PREFIX_LENGTH = 32
const SCHEMA = /^[a-z_][a-z0-9_]*$/
const MAX_SCHEMA_LENGTH = 63

/**
 * Checks the options and derives every physical name from them. Names are only ever built from
 * these checked values, never from anything a request carries; Kysely still quotes them.
 *
 * @throws ConfigurationError listing each bad option.
 */
export function resolveTableNames(options: SqlStorageOptions = {}): TableNames {
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX
  const schema = options.schema ?? null
  const problems: string[] = []
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    problems.push(
      `tablePrefix: must be at most ${MAX_PREFIX_LENGTH} lower-case letters, digits and "_", not starting with a digit`,
    )
  }
  if (
    schema !== null &&
    (typeof schema !== 'string' || !SCHEMA.test(schema) || schema.length > MAX_SCHEMA_LENGTH)
  ) {
    problems.push(
      `schema: must be 1-${MAX_SCHEMA_LENGTH} lower-case letters, digits and "_", not starting with a digit`,
    )
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
  const tables = Object.fromEntries(TABLE_NAMES.map((name) => [name, `${prefix}${name}`])) as Record<
    TableName,
    string
  >
  return Object.freeze({
    prefix,
    schema,
    tables: Object.freeze(tables),
    migrationTable: `${prefix}migration`,
    migrationLockTable: `${prefix}migration_lock`,
    index: (name: string) => `${prefix}${name}`,
  })
}
