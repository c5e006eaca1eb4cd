import type { AtomicIssuance, EventOutboxReader, Repositories, Storage, UnitOfWork } from '@sp-oauth/core'
import {
  closableSqlStorage,
  createSqlStorage,
  type PruneExpiredOptions,
  type PruneExpiredResult,
} from '@sp-oauth/sql'
import { Kysely, MysqlDialect, type MysqlPool } from 'kysely'
import { mysqlSqlDialect } from './mysql-sql-dialect.js'
import { describeMysqlPool, listenForConnectionErrors } from './pool-error-listeners.js'

/**
 * What the storage runs on: your Kysely instance (MySQL dialect, any database type) or a mysql2
 * pool (`createPool` from `mysql2`, the callback API Kysely's `MysqlDialect` takes).
 */
export type MysqlConnection<DB = unknown> = { readonly db: Kysely<DB> } | { readonly pool: MysqlPool }

/** Options of {@link createMysqlStorage}. */
export interface MysqlStorageOptions {
  /**
   * Put before every table, index and migration table name, so several sets of tables share a
   * database. Lower-case letters, digits and `_`, at most 32 characters. Default `sp_oauth_`.
   */
  readonly tablePrefix?: string
  /**
   * Hand units of work an outbox: the core then writes each unit's events to the
   * `<prefix>event_outbox` table in the same transaction as the change, and a relay delivers them
   * with {@link MysqlStorage.outboxReader}. Default `false`: the core publishes events itself after
   * each commit.
   */
  readonly outbox?: boolean
}

/** The core's `Storage` on MySQL or MariaDB, plus migrations. */
export interface MysqlStorage extends Storage {
  readonly repositories: Repositories
  readonly unitOfWork: UnitOfWork
  /**
   * Code exchange and refresh rotation in one call each of a stored procedure that
   * {@link MysqlStorage.migrate} creates (so the user needs `EXECUTE`), instead of a transaction
   * of several round trips. Its events go to the outbox with `outbox: true`.
   */
  readonly atomicIssuance: AtomicIssuance
  /**
   * With `outbox: true`: the outbox's reader, for `createOutboxRelay` / `relayOutboxEvents` of
   * `@sp-oauth/core`. Each batch runs in a transaction of its own at `READ COMMITTED` with
   * `SELECT … FOR UPDATE SKIP LOCKED` (MySQL 8, MariaDB 10.6+), on a connection of its own (the
   * pool needs at least 2 connections). Absent without an outbox.
   */
  readonly outboxReader?: EventOutboxReader
  /**
   * Creates or updates the tables in the pool's database: runs the migrations not yet run, in
   * order. Safe to call at every start-up and from several processes at once; does nothing when
   * everything is applied.
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
  /** Ends the `pool` the storage was given. Does nothing for a Kysely instance `db` you passed. */
  close(): Promise<void>
}

/**
 * Every storage port of sp-oauth on MySQL 8 or MariaDB 10.11+, through Kysely and mysql2: clients,
 * codes, tokens, consents and signing keys, a unit of work at `SERIALIZABLE` that runs its work
 * again after a deadlock, and optionally a transactional event outbox. Only hashes of secrets,
 * codes and tokens reach the database. Create the pool with `timezone: 'Z'`, so times are stored in
 * UTC. Run {@link MysqlStorage.migrate} before first use.
 *
 * A lost connection never ends the process: on a `pool`, every connection the storage checks out
 * gets an `error` listener, and the pool gets one too when it has none. A request whose database
 * is unreachable or whose connection was lost rejects with the core's `StorageUnavailableError`
 * (rendered `503` with `Retry-After`); so does {@link MysqlStorage.migrate}, naming the host, port
 * and database it could not reach.
 *
 * @param connection a Kysely instance or a mysql2 pool.
 * @param options table prefix (default `sp_oauth_`), outbox.
 * @throws ConfigurationError when `tablePrefix` is not a plain lower-case identifier.
 */
export function createMysqlStorage<DB>(
  connection: MysqlConnection<DB>,
  options: MysqlStorageOptions = {},
): MysqlStorage {
  if ('db' in connection) {
    const config = { target: 'the MySQL/MariaDB database', ...options }
    return closableSqlStorage(createSqlStorage(connection.db, mysqlSqlDialect, config), async () => {})
  }
  listenForConnectionErrors(connection.pool)
  const target = describeMysqlPool(connection.pool)
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: connection.pool }) })
  return closableSqlStorage(createSqlStorage(db, mysqlSqlDialect, { target, ...options }), () => db.destroy())
}
