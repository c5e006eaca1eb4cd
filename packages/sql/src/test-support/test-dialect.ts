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
import type { SqlDialect } from '../sql-dialect.js'

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
  // No unit test loses a connection: that is tested on the real databases.
  isConnectionFailure: () => false,
}
