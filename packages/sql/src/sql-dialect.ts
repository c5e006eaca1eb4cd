import type { ColumnDataType, ColumnDefinitionBuilder, Expression, IsolationLevel } from 'kysely'
import type { Migration } from './migrations/migration.js'

/** The Kysely instance a migration receives. */
export type MigrationDb = Parameters<Migration['up']>[0]

/** A column type, as Kysely's schema builder takes it. */
export type SqlDataType = ColumnDataType | Expression<unknown>

/** The column types and table options one database gets; see {@link SqlDialect.schemaTypes}. */
export interface SqlSchemaTypes {
  /** Ids, hashes, user ids, key ids: indexed strings of up to 255 characters, compared exactly. */
  readonly key: SqlDataType
  /** Unindexed text of any length (names, redirect URIs), compared exactly. */
  readonly text: SqlDataType
  /** JSON text, kept exactly as written (arrays, claims, JWKs, event payloads). */
  readonly json: SqlDataType
  /** An instant to the millisecond, up to at least 2099. */
  readonly timestamp: SqlDataType
  readonly boolean: SqlDataType
  /** The outbox's growing id. */
  readonly identity: SqlDataType
  /** Makes a column of type {@link identity} the database-assigned, growing primary key. */
  identityColumn(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder
  /** Appended to every `CREATE TABLE` (MySQL: engine, character set, collation); `null` for none. */
  readonly tableOptions: Expression<unknown> | null
  /** Whether `CREATE INDEX IF NOT EXISTS` exists (PostgreSQL, MariaDB; not MySQL 8). */
  readonly indexIfNotExists: boolean
  /**
   * The collation {@link tableOptions} gives every string column (MySQL), which a stored
   * routine's string parameters must repeat so they compare with those columns as the columns
   * compare with each other; `null` when tables set none (PostgreSQL).
   */
  readonly collation: string | null
}

/**
 * What differs between the databases the shared repositories run on. Everything else (every
 * query, the schema, the unit of work) is written once, in Kysely, against this interface.
 */
export interface SqlDialect {
  /** For messages: `postgres`, `mysql`. */
  readonly name: string
  /**
   * Whether `UPDATE … RETURNING` exists. When it does, a race-sensitive change is that one
   * statement; when not, the conditional `UPDATE`'s affected rows decide the winner and the row is
   * re-read (`SELECT … FOR UPDATE`) in the same transaction.
   */
  readonly supportsUpdateReturning: boolean
  /**
   * Whether a row can be read as one JSON value (`row_to_json`, PostgreSQL). A code exchange or
   * rotation then reads its code or refresh token and its client as two such values, each from
   * a scalar subquery by its key, which costs the database less than a join and the driver less
   * than two dozen typed columns. The values come with JSON's types (timestamps as ISO text, JSON
   * columns nested), which `decodeDate` and `decodeJson` must take. Default `false`: a join.
   */
  readonly rowAsJson?: boolean
  /** How an upsert is spelled: `INSERT … ON CONFLICT … DO UPDATE` or `INSERT … ON DUPLICATE KEY UPDATE`. */
  readonly upsert: 'on-conflict' | 'on-duplicate-key'
  /**
   * How a code exchange or refresh rotation is written in one round trip (`AtomicIssuance`): one
   * statement whose data-modifying `WITH` clauses write only when the conditional `UPDATE` won
   * (PostgreSQL), or a call of a stored procedure the migrations create (MySQL, which has no
   * data-modifying `WITH`).
   */
  readonly atomicIssuance: 'data-modifying-cte' | 'stored-procedure'
  /** The isolation level of units of work. */
  readonly isolationLevel: IsolationLevel
  /** The column types and table options, decided at migration time (e.g. by the server's flavour). */
  schemaTypes(db: MigrationDb): Promise<SqlSchemaTypes>
  /** JSON text of `value` (arrays, claims, JWKs, events). */
  encodeJson(value: unknown): string
  /** The value of a JSON column, as the driver returned it (text, or already parsed). */
  decodeJson(raw: unknown): unknown
  /** A boolean column, as the driver returned it. */
  decodeBoolean(raw: unknown): boolean
  /** A timestamp column, as the driver returned it (a `Date`, or text in UTC). */
  decodeDate(raw: unknown): Date
  /**
   * Whether `error` is a serialization failure or deadlock after which the transaction can be run
   * again from the start.
   */
  isRetryable(error: unknown): boolean
  /**
   * Whether `error` says the database could not be reached or the connection was lost (refused,
   * reset, terminated by the server or an administrator, timed out): the storage then rejects with
   * the core's `StorageUnavailableError` (rendered `503` with `Retry-After`), its cause `error`.
   */
  isConnectionFailure(error: unknown): boolean
}
