import {
  errorCode,
  type MigrationDb,
  NETWORK_ERROR_CODES,
  type SqlDialect,
  type SqlSchemaTypes,
} from '@sp-oauth/sql'
import { sql } from 'kysely'

/**
 * Binary, no-pad collations: strings compare byte for byte, so letter case, accents and trailing
 * spaces all count (`utf8mb4_bin` pads: on it `'a' = 'a '`). MariaDB and MySQL 8 name theirs
 * differently.
 */
const COLLATIONS = { mariadb: 'utf8mb4_nopad_bin', mysql: 'utf8mb4_0900_bin' } as const

function typesFor(flavour: keyof typeof COLLATIONS): SqlSchemaTypes {
  const collation = COLLATIONS[flavour]
  return {
    key: sql`varchar(255)`,
    text: 'text',
    // Text, not MySQL 8's `JSON` type, which rewrites documents (key order, duplicate keys).
    json: sql`longtext`,
    // `DATETIME` reaches 9999; `TIMESTAMP` ends in 2038.
    timestamp: sql`datetime(3)`,
    boolean: 'boolean',
    identity: 'bigint',
    identityColumn: (column) => column.autoIncrement().primaryKey(),
    tableOptions: sql`engine = InnoDB default character set = utf8mb4 collate = ${sql.raw(collation)}`,
    // MariaDB has `CREATE INDEX IF NOT EXISTS`; MySQL 8 does not.
    indexIfNotExists: flavour === 'mariadb',
    collation,
  }
}

/** Error numbers after which a transaction can run again: ER_LOCK_DEADLOCK, ER_CHECKREAD. */
const RETRYABLE_ERRNOS = new Set([1213, 1020])

/**
 * Server and client error numbers of a lost or refused connection: too many connections (1040),
 * server shutdown (1053), connection killed (`KILL`, MariaDB 1927), closed for inactivity (MySQL
 * 4031), and the client's can't connect (2002, 2003), server gone away (2006), lost connection
 * (2013).
 */
const CONNECTION_ERRNOS = new Set([1040, 1053, 1927, 4031, 2002, 2003, 2006, 2013])

/**
 * What MySQL 8 and MariaDB 10.11+ (through mysql2) need of the shared SQL: no `UPDATE … RETURNING`
 * (the conditional update's affected rows decide, then the row is re-read with `FOR UPDATE`),
 * `ON DUPLICATE KEY UPDATE` upserts, code exchanges and rotations as calls of stored procedures (no
 * data-modifying `WITH`), units of work at `SERIALIZABLE` (their reads take shared
 * locks, so two units that read then write one row deadlock and the loser runs again, seeing the
 * winner's change), JSON as `longtext`, `DATETIME(3)`, and binary no-pad collations.
 */
export const mysqlSqlDialect: SqlDialect = {
  name: 'mysql',
  supportsUpdateReturning: false,
  upsert: 'on-duplicate-key',
  atomicIssuance: 'stored-procedure',
  isolationLevel: 'serializable',
  schemaTypes: async (db: MigrationDb) => {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(db)
    return typesFor(/mariadb/i.test(rows[0]?.version ?? '') ? 'mariadb' : 'mysql')
  },
  encodeJson: (value: unknown) => JSON.stringify(value),
  decodeJson: (raw: unknown) => (typeof raw === 'string' ? JSON.parse(raw) : raw),
  decodeBoolean: (raw: unknown) => raw === 1 || raw === true || raw === '1',
  decodeDate: (raw: unknown) => (raw instanceof Date ? raw : parseUtcDatetime(String(raw))),
  isRetryable: (error: unknown) =>
    typeof error === 'object' &&
    error !== null &&
    RETRYABLE_ERRNOS.has(Number((error as { errno?: unknown }).errno)),
  // mysql2 marks every error that ends a connection `fatal` (lost, killed, refused, handshake).
  isConnectionFailure: (error: unknown) => {
    if (typeof error !== 'object' || error === null) return false
    if ((error as { fatal?: unknown }).fatal === true) return true
    if (CONNECTION_ERRNOS.has(Number((error as { errno?: unknown }).errno))) return true
    const code = errorCode(error)
    return code !== undefined && (NETWORK_ERROR_CODES.has(code) || code.startsWith('PROTOCOL_'))
  },
}

/** A `DATETIME` as text (`2026-01-02 03:04:05.678`, with `dateStrings`), read as UTC. */
function parseUtcDatetime(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`)
}
