import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { ConfigurationError } from '@sp-oauth/core'
import type { MysqlStorage } from '@sp-oauth/mysql'
import type { PostgresStorage } from '@sp-oauth/postgres'
import type { Pool as MysqlPool } from 'mysql2'
import type { Pool as PgPool } from 'pg'
import { CliError } from './cli-error.js'
import type { DatabaseLocation, ServerLocation } from './database-location.js'
import { lockPgliteDirectory, PGLITE_LOCK_FILE } from './pglite-lock.js'
import { quickstartDataDirOf } from './quickstart-data-dir.js'

/** A migration the database has run, from Kysely's migration table. */
export interface AppliedMigration {
  readonly name: string
  readonly executedAt: Date | null
}

/** The storage on an open database, and what the CLI reads beside it. */
export interface OpenDatabase {
  readonly location: DatabaseLocation
  readonly storage: PostgresStorage | MysqlStorage
  /** The quickstart data directory the PGlite database belongs to, or `null`. */
  readonly quickstartDataDir: string | null
  /** The migrations already run, oldest first (none on an empty database). */
  appliedMigrations(): Promise<readonly AppliedMigration[]>
  /** Ends the pool or closes PGlite, and gives up the quickstart lock. Call once. */
  close(): Promise<void>
}

/** The storage options the CLI passes through, with the storage packages' names and defaults. */
export interface StorageSettings {
  readonly schema?: string | undefined
  readonly tablePrefix?: string | undefined
  readonly outbox: boolean
}

const DEFAULT_TABLE_PREFIX = 'sp_oauth_'

/**
 * Opens the database: a `pg` Pool, a mysql2 pool (times in UTC) or a PGlite directory. A PGlite
 * directory must exist and hold a database unless `create` (only `migrate up` creates one); one
 * that belongs to a running quickstart is refused.
 *
 * @throws CliError `usage` for a bad option, `database_unavailable` for a missing PGlite directory,
 *   `database_in_use` when the quickstart holds it, `database_error` when it cannot be opened
 */
export async function openDatabase(
  location: DatabaseLocation,
  settings: StorageSettings,
  options: { readonly create: boolean },
): Promise<OpenDatabase> {
  if (location.kind === 'postgres') return openPostgres(location, settings)
  if (settings.schema !== undefined) {
    if (location.kind === 'mysql') {
      throw new CliError(
        'usage',
        '--schema is for PostgreSQL: on MySQL/MariaDB the tables live in the database the URL names (use --table-prefix to share one)',
      )
    }
  }
  if (location.kind === 'mysql') return openMysql(location, settings)
  return openPglite(location, settings, options.create)
}

async function openPostgres(
  location: ServerLocation<'postgres'>,
  settings: StorageSettings,
): Promise<OpenDatabase> {
  // Each driver and storage package is loaded only for its kind of database: --help loads none.
  const { createPostgresStorage } = await import('@sp-oauth/postgres')
  const pg = (await import('pg')).default
  const pool: PgPool = new pg.Pool({
    connectionString: location.url,
    max: 2,
    connectionTimeoutMillis: 10_000,
  })
  const storage = storageOrUsageError(
    () => createPostgresStorage({ pool }, postgresOptions(settings)),
    () => pool.end(),
  )
  const table = qualified(settings.schema, `${settings.tablePrefix ?? DEFAULT_TABLE_PREFIX}migration`)
  return {
    location,
    storage,
    quickstartDataDir: null,
    appliedMigrations: async () => {
      try {
        const result = await pool.query<{ name: string; timestamp: string }>(
          `select name, timestamp from ${table} order by name`,
        )
        return result.rows.map(applied)
      } catch (error) {
        if (isMissingTable(error)) return []
        throw error
      }
    },
    close: () => storage.close(),
  }
}

async function openMysql(
  location: ServerLocation<'mysql'>,
  settings: StorageSettings,
): Promise<OpenDatabase> {
  const { createMysqlStorage } = await import('@sp-oauth/mysql')
  const { createPool } = await import('mysql2')
  let pool: MysqlPool
  try {
    pool = createPool({ uri: location.url, timezone: 'Z', connectionLimit: 2, connectTimeout: 10_000 })
  } catch (error) {
    throw new CliError(
      'usage',
      `the MySQL URL is not valid (${message(error)}): check --database-url or SP_OAUTH_DATABASE_URL (mysql://user:password@host:3306/database)`,
    )
  }
  const storage = storageOrUsageError(
    () =>
      createMysqlStorage(
        { pool },
        {
          outbox: settings.outbox,
          ...(settings.tablePrefix === undefined ? {} : { tablePrefix: settings.tablePrefix }),
        },
      ),
    () => new Promise<void>((resolve) => pool.end(() => resolve())),
  )
  const table = `\`${settings.tablePrefix ?? DEFAULT_TABLE_PREFIX}migration\``
  return {
    location,
    storage,
    quickstartDataDir: null,
    appliedMigrations: async () => {
      try {
        const [rows] = await pool.promise().query(`select name, timestamp from ${table} order by name`)
        return (rows as { name: string; timestamp: string }[]).map(applied)
      } catch (error) {
        if (isMissingTable(error)) return []
        throw error
      }
    },
    close: () => storage.close(),
  }
}

async function openPglite(
  location: Extract<DatabaseLocation, { kind: 'pglite' }>,
  settings: StorageSettings,
  create: boolean,
): Promise<OpenDatabase> {
  const { directory } = location
  checkPgliteDirectoryExists(directory, create)
  const quickstartDataDir = quickstartDataDirOf(directory)
  // The lock before the contents (a database another process is creating is in use, not "other
  // files"); a lock inside the directory needs the directory, the quickstart's needs none.
  if (quickstartDataDir === null) makeDirectory(directory)
  const unlock = lockPgliteDirectory(directory, quickstartDataDir)
  let pglite: PGlite | null = null
  try {
    makeDirectory(directory)
    checkPgliteDirectoryHoldsDatabase(directory, create)
    // PGlite cannot open a directory through a symbolic link: it gets the link's target.
    const target = realpathSync(directory)
    const { createPostgresStorage } = await import('@sp-oauth/postgres')
    const { PGlite } = await import('@electric-sql/pglite')
    const opened = new PGlite(target)
    pglite = opened
    try {
      await opened.waitReady
    } catch (error) {
      throw new CliError(
        'database_error',
        `cannot open ${location.display} (${message(error)}): check that it is a PGlite database no other process has open`,
        { cause: error },
      )
    }
    const storage = storageOrUsageError(
      () => createPostgresStorage({ pglite: opened }, postgresOptions(settings)),
      async () => {},
    )
    const table = qualified(settings.schema, `${settings.tablePrefix ?? DEFAULT_TABLE_PREFIX}migration`)
    return {
      location,
      storage,
      quickstartDataDir,
      appliedMigrations: async () => {
        try {
          const result = await opened.query<{ name: string; timestamp: string }>(
            `select name, timestamp from ${table} order by name`,
          )
          return result.rows.map(applied)
        } catch (error) {
          if (isMissingTable(error)) return []
          throw error
        }
      },
      close: async () => {
        try {
          await storage.close()
        } finally {
          unlock()
        }
      },
    }
  } catch (error) {
    await pglite?.close().catch(() => {})
    unlock()
    throw error
  }
}

const CREATE_HINT = 'create a new one with: sp-oauth migrate up'

/** Creates the directory of a new database (owner-only, as the quickstart does), if missing. */
function makeDirectory(directory: string): void {
  if (!existsSync(directory)) mkdirSync(directory, { recursive: true, mode: 0o700 })
}

/**
 * A PGlite directory that does not exist, is empty or holds something else would be made into a
 * new, empty database by PGlite: only `migrate up` may do that, and never over other files.
 * This half runs before the lock, which is taken inside the directory.
 */
function checkPgliteDirectoryExists(directory: string, create: boolean): void {
  if (!existsSync(directory)) {
    if (create) return
    throw new CliError(
      'database_unavailable',
      `the PGlite database ${directory} does not exist: check --database-url or SP_OAUTH_DATABASE_URL, or ${CREATE_HINT}`,
    )
  }
  if (!statSync(directory).isDirectory()) {
    throw new CliError(
      'database_unavailable',
      `${directory} is a file, not a PGlite database directory: check --database-url or SP_OAUTH_DATABASE_URL`,
    )
  }
}

/** The other half, under the lock: the directory holds a database, or nothing but the CLI's lock. */
function checkPgliteDirectoryHoldsDatabase(directory: string, create: boolean): void {
  if (existsSync(join(directory, 'PG_VERSION'))) return
  const entries = readdirSync(directory).filter((entry) => entry !== PGLITE_LOCK_FILE)
  if (entries.length === 0) {
    if (create) return
    throw new CliError(
      'database_unavailable',
      `the PGlite directory ${directory} is empty, no database yet: check --database-url or SP_OAUTH_DATABASE_URL, or ${CREATE_HINT}`,
    )
  }
  const quickstartHint = existsSync(join(directory, 'pglite', 'PG_VERSION'))
    ? `: it looks like the quickstart's data directory, whose database is ${join(directory, 'pglite')}`
    : ': check --database-url or SP_OAUTH_DATABASE_URL'
  throw new CliError(
    'database_unavailable',
    `${directory} holds other files, not a PGlite database${quickstartHint}`,
  )
}

function postgresOptions(settings: StorageSettings) {
  return {
    outbox: settings.outbox,
    ...(settings.schema === undefined ? {} : { schema: settings.schema }),
    ...(settings.tablePrefix === undefined ? {} : { tablePrefix: settings.tablePrefix }),
  }
}

/** The storage, or a usage error naming the option the storage package refused. */
function storageOrUsageError<S>(create: () => S, release: () => Promise<unknown>): S {
  try {
    return create()
  } catch (error) {
    void release().catch(() => {})
    if (error instanceof ConfigurationError) {
      const problems = error.problems.map((problem) =>
        problem.replace(/^tablePrefix\b/, '--table-prefix').replace(/^schema\b/, '--schema'),
      )
      throw new CliError('usage', problems.join('; '), { cause: error })
    }
    throw error
  }
}

/** `"schema"."table"`, or `"table"` without a schema; both already checked as plain identifiers. */
function qualified(schema: string | undefined, table: string): string {
  return schema === undefined ? `"${table}"` : `"${schema}"."${table}"`
}

function applied(row: { name: string; timestamp: string }): AppliedMigration {
  const executedAt = new Date(row.timestamp)
  return { name: row.name, executedAt: Number.isFinite(executedAt.getTime()) ? executedAt : null }
}

/** PostgreSQL `undefined_table` (or its schema missing), MySQL `ER_NO_SUCH_TABLE`. */
function isMissingTable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '42P01' || code === '3F000' || code === 'ER_NO_SUCH_TABLE'
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message
  // PGlite rejects with Emscripten's ErrnoError, a plain object: `{ name, errno }`.
  const { name, errno } = (error ?? {}) as { name?: unknown; errno?: unknown }
  if (typeof name === 'string') return typeof errno === 'number' ? `${name} ${errno}` : name
  return String(error)
}
