import { errorCode, NETWORK_ERROR_CODES, type SqlDialect, type SqlSchemaTypes } from '@sp-oauth/sql'
import { sql } from 'kysely'

const POSTGRES_TYPES: SqlSchemaTypes = {
  // Deterministic collations compare text byte for byte, trailing spaces included.
  key: sql`varchar(255)`,
  text: 'text',
  // `json` keeps the text as written (`jsonb` would reorder keys and refuse `\u0000`).
  json: 'json',
  timestamp: sql`timestamptz(3)`,
  boolean: 'boolean',
  identity: 'bigint',
  identityColumn: (column) => column.generatedAlwaysAsIdentity().primaryKey(),
  tableOptions: null,
  indexIfNotExists: true,
  collation: null,
}

/**
 * SQLSTATEs of a lost or refused connection, besides class 08 (connection_exception):
 * admin_shutdown (`pg_terminate_backend`, a fast shutdown), crash_shutdown, cannot_connect_now
 * (starting up or in recovery), too_many_connections.
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300'])

/** What node-postgres and pg-pool say, without a code, when a connection ends or cannot be had. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Query read timeout)/

/** SQLSTATEs after which a transaction can run again: serialization_failure, deadlock_detected. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01'])

/**
 * What PostgreSQL (node-postgres or PGlite) needs of the shared SQL: `UPDATE … RETURNING`,
 * `ON CONFLICT` upserts, code exchanges and rotations as one statement of data-modifying `WITH`
 * clauses, units of work at `REPEATABLE READ` (a unit whose row changed under it
 * fails with a serialization failure and runs again, so it sees the winner's change), JSON in `json`
 * columns, and `timestamptz(3)`.
 */
export const postgresSqlDialect: SqlDialect = {
  name: 'postgres',
  supportsUpdateReturning: true,
  rowAsJson: true,
  upsert: 'on-conflict',
  atomicIssuance: 'data-modifying-cte',
  isolationLevel: 'repeatable read',
  schemaTypes: async () => POSTGRES_TYPES,
  encodeJson: (value: unknown) => JSON.stringify(value),
  // node-postgres and PGlite parse `json` themselves, unless told not to.
  decodeJson: (raw: unknown) => (typeof raw === 'string' ? JSON.parse(raw) : raw),
  decodeBoolean: (raw: unknown) => raw === true || raw === 't' || raw === 'true',
  decodeDate: (raw: unknown) => (raw instanceof Date ? raw : parsePostgresTimestamp(String(raw))),
  isRetryable: (error: unknown) =>
    typeof error === 'object' &&
    error !== null &&
    RETRYABLE_SQLSTATES.has(String((error as { code?: unknown }).code)),
  isConnectionFailure: (error: unknown) => {
    const code = errorCode(error)
    if (code !== undefined) {
      return code.startsWith('08') || CONNECTION_SQLSTATES.has(code) || NETWORK_ERROR_CODES.has(code)
    }
    return error instanceof Error && CONNECTION_MESSAGES.test(error.message)
  },
}

/** A `timestamptz` in PostgreSQL's text form (`2026-01-02 03:04:05.678+00`), for drivers that leave it as text. */
function parsePostgresTimestamp(text: string): Date {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')
  return new Date(iso)
}
