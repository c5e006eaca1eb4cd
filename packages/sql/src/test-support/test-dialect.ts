// For this package's unit tests: Kysely with its `DummyDriver` (no database; every query returns no
// rows) and the PostgreSQL compiler, so the SQL the repositories build can be looked at.
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely'
import type { SqlDialect, SqlSchemaTypes } from '../sql-dialect.js'

/** A Kysely instance that runs nothing, and the queries it was asked to run. */
export function recordingKysely(): { db: Kysely<unknown>; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = []
  const db = new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      queries.push(event.query)
    },
  })
  return { db, queries }
}

/** Thrown by tests as a stand-in for a serialization failure. */
export class SerializationFailure extends Error {
  override name = 'SerializationFailure'
}

/** Thrown by tests as a stand-in for a lost database connection. */
export class ConnectionLost extends Error {
  override name = 'ConnectionLost'
}

/** A PostgreSQL-like dialect whose retryable errors are {@link SerializationFailure}s. */
export const testDialect: SqlDialect = {
  name: 'test',
  supportsUpdateReturning: true,
  upsert: 'on-conflict',
  atomicIssuance: 'data-modifying-cte',
  isolationLevel: 'repeatable read',
  schemaTypes: async () => {
    throw new Error('no schema in unit tests')
  },
  encodeJson: (value) => JSON.stringify(value),
  decodeJson: (raw) => (typeof raw === 'string' ? JSON.parse(raw) : raw),
  decodeBoolean: (raw) => raw === true,
  decodeDate: (raw) => (raw instanceof Date ? raw : new Date(String(raw))),
  isRetryable: (error) => error instanceof SerializationFailure,
  isConnectionFailure: (error) => error instanceof ConnectionLost,
}

/** {@link testDialect} as a MySQL-like dialect would be for the migrations: stored procedures, `collation`. */
export function mysqlLikeDialect(collation: string | null): SqlDialect {
  const types: SqlSchemaTypes = {
    key: 'text',
    text: 'text',
    json: 'text',
    timestamp: 'text',
    boolean: 'boolean',
    identity: 'bigint',
    identityColumn: (column) => column,
    tableOptions: null,
    indexIfNotExists: true,
    collation,
  }
  return { ...testDialect, atomicIssuance: 'stored-procedure', schemaTypes: async () => types }
}
