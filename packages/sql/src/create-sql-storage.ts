import type { AtomicIssuance, EventOutboxReader, Repositories, Storage } from '@sp-oauth/core'
import type { Kysely } from 'kysely'
import { createSqlAtomicIssuance } from './atomic-issuance/create-sql-atomic-issuance.js'
import { compiledShapes } from './compiled-shapes.js'
import type { SpOAuthDatabase } from './database.js'
import { migrateToLatest, pendingMigrations } from './migrations/migrate-to-latest.js'
import { createSqlEventOutboxReader } from './outbox/sql-event-outbox-reader.js'
import { type PruneExpiredOptions, type PruneExpiredResult, pruneExpired } from './prune-expired.js'
import { createRepositories } from './repositories/create-repositories.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retrying } from './retry-policy.js'
import type { SqlDialect } from './sql-dialect.js'
import { asStorageUnavailable, guardUnavailable } from './storage-unavailable.js'
import { TableNamePlugin } from './table-name-plugin.js'
import { resolveTableNames, type SqlStorageOptions, type TableNames } from './table-names.js'
import { createSqlUnitOfWork } from './unit-of-work.js'

/** Options of {@link createSqlStorage}. */
export interface SqlStorageConfig extends SqlStorageOptions {
  /**
   * Hand units of work an outbox: the core then writes each unit's events to the outbox table in
   * the same transaction, and a relay must deliver them. Default `false`: the core publishes
   * events itself after the commit.
   */
  readonly outbox?: boolean
  /** How units of work retry after a serialization failure or deadlock. */
  readonly retry?: Partial<RetryPolicy>
  /**
   * Names the database in error messages, e.g. `PostgreSQL at db:5432, database oauth`; never
   * credentials. Default: `the <dialect> database`.
   */
  readonly target?: string
}

/** The core's `Storage` on Kysely, plus its schema's upkeep. */
export interface SqlStorage extends Storage {
  readonly repositories: Repositories
  /**
   * Code exchange and refresh rotation in one round trip each (one statement on PostgreSQL, one
   * stored procedure call on MySQL), retried like the repositories' calls; its events go to the
   * outbox with `outbox: true`. Needs the migrations run.
   */
  readonly atomicIssuance: AtomicIssuance
  /** The physical names of the tables. */
  readonly tables: TableNames
  /**
   * With `outbox: true`: the reader a relay (`createOutboxRelay`, `relayOutboxEvents`) delivers
   * the outbox with. Each batch is a transaction of its own, on a connection of its own; see
   * {@link createSqlEventOutboxReader}. Absent without an outbox.
   */
  readonly outboxReader?: EventOutboxReader
  /** Runs the migrations not yet run (see {@link migrateToLatest}); does nothing when all have run. */
  migrate(): Promise<void>
  /** The names of the migrations not yet run, for `server.health()`. */
  pendingMigrations(): Promise<readonly string[]>
  /**
   * Deletes expired codes and tokens and old delivered events, in batches, never a token reuse
   * detection or a live refresh family still needs; see {@link pruneExpired}.
   */
  pruneExpired(options?: PruneExpiredOptions): Promise<PruneExpiredResult>
}

/**
 * Every storage port of the core on a Kysely instance, for the dialect given. Nothing is
 * concatenated into SQL: values are Kysely parameters, and names come from the checked options.
 * `storage.repositories` runs each call as its own statement (or short transaction), repeated
 * after a serialization failure or deadlock; `storage.unitOfWork` runs work in one transaction;
 * `storage.atomicIssuance` writes a code exchange or rotation in one round trip;
 * `storage.outboxReader` (with `outbox: true`) relays the outbox in transactions of its own.
 * A connection-level failure (see {@link SqlDialect.isConnectionFailure}) of any of them, and of
 * `migrate` and `pruneExpired`, rejects with the core's `StorageUnavailableError`, naming the
 * database, the driver's error as its cause.
 *
 * @param db the application's Kysely instance, of any database type; it is not destroyed here.
 * @throws ConfigurationError when `tablePrefix` or `schema` is not a plain identifier.
 */
export function createSqlStorage<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  config: SqlStorageConfig = {},
): SqlStorage {
  const tables = resolveTableNames(config)
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry }
  const named = (db as unknown as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(tables))
  const target = config.target ?? `the ${dialect.name} database`
  const unavailable = (error: unknown): never => {
    throw asStorageUnavailable(dialect, target, 'serving a request', error)
  }
  // One cache of compiled lookups for the storage: its transactions compile the same text.
  const lookups = compiledShapes<unknown>()
  const repositories = createRepositories({ db: named, dialect, lookups }, (call) =>
    retrying(dialect, retry, call).catch(unavailable),
  )
  const outbox = config.outbox ?? false
  const unitOfWork = createSqlUnitOfWork(named, dialect, { outbox, retry, lookups })
  return {
    repositories,
    unitOfWork: { run: (work) => unitOfWork.run(work).catch(unavailable) },
    atomicIssuance: guardFunctions(
      createSqlAtomicIssuance(named, dialect, tables, { eventsGoToOutbox: outbox, retry }),
      unavailable,
    ),
    ...(outbox ? { outboxReader: createSqlEventOutboxReader(named, dialect) } : {}),
    tables,
    migrate: () =>
      guardUnavailable(dialect, target, 'running migrations', () => migrateToLatest(db, dialect, tables)),
    pendingMigrations: () =>
      guardUnavailable(dialect, target, 'reading the migrations', () =>
        pendingMigrations(db, dialect, tables),
      ),
    pruneExpired: (options) =>
      guardUnavailable(dialect, target, 'pruning expired rows', () => pruneExpired(named, options)),
  }
}

/** `object` with each of its methods' rejections passed through `onRejected`; other fields as they are. */
function guardFunctions<T extends object>(object: T, onRejected: (error: unknown) => never): T {
  const entries = Object.entries(object).map(([key, value]: [string, unknown]) => [
    key,
    typeof value === 'function'
      ? (...args: unknown[]) =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(object, args).catch(onRejected)
      : value,
  ])
  return Object.fromEntries(entries) as T
}

/** What a database package hands its users: the storage without its table names, and `close`. */
export type ClosableSqlStorage = Omit<SqlStorage, 'tables'> & { close(): Promise<void> }

/**
 * The storage a database package returns: `storage` minus `tables`, plus `close` (ending what the
 * package itself opened, or nothing for a Kysely instance the user passed).
 */
export function closableSqlStorage(storage: SqlStorage, close: () => Promise<void>): ClosableSqlStorage {
  return {
    repositories: storage.repositories,
    unitOfWork: storage.unitOfWork,
    atomicIssuance: storage.atomicIssuance,
    ...(storage.outboxReader ? { outboxReader: storage.outboxReader } : {}),
    migrate: () => storage.migrate(),
    pendingMigrations: () => storage.pendingMigrations(),
    pruneExpired: (options) => storage.pruneExpired(options),
    close,
  }
}
