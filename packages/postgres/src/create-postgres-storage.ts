import type { AtomicIssuance, EventOutboxReader, Repositories, Storage, UnitOfWork } from '@sp-oauth/core'
import {
  closableSqlStorage,
  createSqlStorage,
  type PruneExpiredOptions,
  type PruneExpiredResult,
  type SqlStorageOptions,
} from '@sp-oauth/sql'
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely'
import { type PGliteClient, PGliteDialect } from './pglite-dialect.js'
import { describePostgresPool, listenForConnectionErrors } from './pool-error-listeners.js'
import { postgresSqlDialect } from './postgres-sql-dialect.js'

/**
 * What the storage runs on: your Kysely instance (PostgreSQL dialect, any database type), a
 * node-postgres `Pool`, or a PGlite database.
 */
export type PostgresConnection<DB = unknown> =
  | { readonly db: Kysely<DB> }
  | { readonly pool: PostgresPool }
  | { readonly pglite: PGliteClient }

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions extends SqlStorageOptions {
  /**
   * Hand units of work an outbox: the core then writes each unit's events to the
   * `<prefix>event_outbox` table in the same transaction as the change, and a relay delivers them
   * with {@link PostgresStorage.outboxReader}. Default `false`: the core publishes events itself
   * after each commit.
   */
  readonly outbox?: boolean
}

/** The core's `Storage` on PostgreSQL, plus migrations. */
export interface PostgresStorage extends Storage {
  readonly repositories: Repositories
  readonly unitOfWork: UnitOfWork
  /**
   * Code exchange and refresh rotation in one statement each (data-modifying `WITH` clauses), so
   * the core sends no transaction for them. Its events go to the outbox with `outbox: true`.
   */
  readonly atomicIssuance: AtomicIssuance
  /**
   * With `outbox: true`: the outbox's reader, for `createOutboxRelay` / `relayOutboxEvents` of
   * `@sp-oauth/core`. Each batch runs in a transaction of its own at `READ COMMITTED` with
   * `SELECT … FOR UPDATE SKIP LOCKED`, on a connection of its own (a pool needs at least 2
   * connections; on PGlite a batch holds the one connection while it delivers). Absent without an
   * outbox.
   */
  readonly outboxReader?: EventOutboxReader
  /**
   * Creates or updates the tables: runs the migrations not yet run, in order (the first one creates
   * the schema too, when one is configured). Safe to call at every start-up and from several
   * processes at once; does nothing when everything is applied.
   */
  migrate(): Promise<void>
  /**
   * The names of the migrations not yet run, in order: what `migrate()` would run. `server.health()`
   * reports them.
   */
  pendingMigrations(): Promise<readonly string[]>
  /**
   * Deletes, in batches, codes expired over a day ago, access tokens expired or revoked over 30
   * days ago, refresh tokens over 60 days ago and events delivered over 7 days ago (all
   * configurable), never a token of a refresh family that is still live. Resolves with the counts.
   *
   * @throws ConfigurationError when an option is out of range.
   */
  pruneExpired(options?: PruneExpiredOptions): Promise<PruneExpiredResult>
  /**
   * Ends what the storage was given: the `pool` (as `pool.end()`) or the PGlite database. Does
   * nothing for a Kysely instance `db` you passed: destroy it yourself.
   */
  close(): Promise<void>
}

/**
 * Every storage port of sp-oauth on PostgreSQL 13+ (or PGlite), through Kysely: clients, codes,
 * tokens, consents and signing keys, a unit of work at `REPEATABLE READ` that runs its work again
 * after a serialization failure or deadlock, and optionally a transactional event outbox. Only
 * hashes of secrets, codes and tokens reach the database. Run {@link PostgresStorage.migrate}
 * before first use.
 *
 * A lost connection never ends the process: on a `pool`, every client the storage checks out gets
 * an `error` listener, and the pool gets one too when it has none. A request whose database is
 * unreachable or whose connection was lost rejects with the core's `StorageUnavailableError`
 * (rendered `503` with `Retry-After`); so does {@link PostgresStorage.migrate}, naming the host,
 * port and database it could not reach.
 *
 * @param connection a Kysely instance, a `pg` Pool or a PGlite database.
 * @param options table prefix (default `sp_oauth_`), schema, outbox.
 * @throws ConfigurationError when `tablePrefix` or `schema` is not a plain lower-case identifier.
 */
export function createPostgresStorage<DB>(
  connection: PostgresConnection<DB>,
  options: PostgresStorageOptions = {},
): PostgresStorage {
  if ('db' in connection) {
    const config = { target: 'the PostgreSQL database', ...options }
    return closableSqlStorage(createSqlStorage(connection.db, postgresSqlDialect, config), async () => {})
  }
  let target = 'the PGlite database'
  if ('pool' in connection) {
    listenForConnectionErrors(connection.pool)
    target = describePostgresPool(connection.pool)
  }
  const db = kyselyFor(connection)
  return closableSqlStorage(createSqlStorage(db, postgresSqlDialect, { target, ...options }), () =>
    db.destroy(),
  )
}

function kyselyFor(
  connection: { readonly pool: PostgresPool } | { readonly pglite: PGliteClient },
): Kysely<unknown> {
  const dialect =
    'pool' in connection
      ? new PostgresDialect({ pool: connection.pool })
      : new PGliteDialect(connection.pglite)
  return new Kysely<unknown>({ dialect })
}
