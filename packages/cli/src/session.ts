import {
  type AuthorizationServer,
  ConfigurationError,
  OAuthError,
  type SigningAlgorithm,
  SpOAuthError,
  StorageUnavailableError,
} from '@sp-oauth/core'
import { buildServer, DEFAULT_ISSUER } from './build-server.js'
import { CliError, missingHashKey } from './cli-error.js'
import { type DatabaseLocation, parseDatabaseLocation } from './database-location.js'
import { readHashKeys } from './hash-keys.js'
import { type OpenDatabase, openDatabase } from './open-database.js'
import { createOutput, type Output } from './output.js'
import { quickstartDataDirOf } from './quickstart-data-dir.js'

/** The options every command takes (before or after its name). */
export interface GlobalOptions {
  readonly databaseUrl?: string
  readonly schema?: string
  readonly tablePrefix?: string
  readonly issuer?: string
  readonly outbox?: boolean
  readonly json?: boolean
}

/** What the CLI runs in: the process's environment and streams, or a test's. */
export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** All of standard input, for `--secret-stdin`. */
  readonly readStdin: () => Promise<string>
}

/** One command's run: its output, and the database and server it opens on demand (closed after). */
export class Session {
  readonly out: Output
  readonly environment: Environment
  readonly globals: GlobalOptions
  #location: DatabaseLocation | null = null
  #database: OpenDatabase | null = null

  constructor(environment: Environment, globals: GlobalOptions) {
    this.environment = environment
    this.globals = globals
    this.out = createOutput(globals.json === true, environment.stdout, environment.stderr)
  }

  /** Where the database is, from `--database-url` or `SP_OAUTH_DATABASE_URL`. */
  location(): DatabaseLocation {
    if (this.#location) return this.#location
    const value = this.globals.databaseUrl ?? this.environment.env.SP_OAUTH_DATABASE_URL
    if (value === undefined || value.trim() === '') {
      throw new CliError(
        'usage',
        'no database: pass --database-url <url> or set SP_OAUTH_DATABASE_URL (postgres://…, mysql://… or a PGlite directory)',
      )
    }
    const location = parseDatabaseLocation(value.trim())
    const schema = this.globals.schema
    this.#location =
      schema === undefined || location.kind === 'mysql'
        ? location
        : { ...location, display: `${location.display}, schema ${schema}` }
    return this.#location
  }

  /**
   * Opens the database once. Unless `checkMigrations` is `false`, refuses a database with
   * migrations not yet run (exit 4), before anything reads or writes the tables.
   */
  async database(options: { readonly create?: boolean; readonly checkMigrations?: boolean } = {}) {
    if (!this.#database) {
      this.#database = await openDatabase(
        this.location(),
        {
          schema: this.globals.schema,
          tablePrefix: this.globals.tablePrefix,
          outbox: this.globals.outbox === true,
        },
        { create: options.create === true },
      )
    }
    const database = this.#database
    if (options.checkMigrations !== false) {
      const pending = await database.storage.pendingMigrations()
      if (pending.length > 0) throw migrationsPending(pending)
    }
    return database
  }

  /**
   * The hash keys of a command that hashes or encrypts, read before the database is opened, so a
   * missing key fails without touching it.
   *
   * @throws CliError `configuration` when there is none or one is unusable
   */
  requireHashKeys() {
    const location = this.location()
    const dataDir = location.kind === 'pglite' ? quickstartDataDirOf(location.directory) : null
    const source = readHashKeys(this.environment.env, dataDir)
    if (source === null) throw missingHashKey()
    this.out.note(`hashing with ${source.description}`)
    return source.keys
  }

  /**
   * The core's facade on the database (migrations checked). With `hashKeys: null` (every command
   * that hashes nothing) the server refuses to hash at all.
   */
  async server(
    options: {
      readonly hashKeys?: ReturnType<Session['requireHashKeys']> | null
      readonly accessTokenTtlMinutes?: number
      readonly signingAlgorithm?: SigningAlgorithm
      readonly checkMigrations?: boolean
    } = {},
  ): Promise<AuthorizationServer> {
    const { env } = this.environment
    const accessTokenTtlMinutes =
      options.accessTokenTtlMinutes ?? lifetimeFrom(env, 'SP_OAUTH_ACCESS_TOKEN_TTL_MINUTES')
    const refreshTokenTtlDays = lifetimeFrom(env, 'SP_OAUTH_REFRESH_TOKEN_TTL_DAYS')
    const database = await this.database({ checkMigrations: options.checkMigrations !== false })
    return buildServer({
      storage: database.storage,
      issuer: this.globals.issuer ?? (env.SP_OAUTH_ISSUER || DEFAULT_ISSUER),
      hashKeys: options.hashKeys ?? null,
      ...(accessTokenTtlMinutes === undefined ? {} : { accessTokenTtlMinutes }),
      ...(refreshTokenTtlDays === undefined ? {} : { refreshTokenTtlDays }),
      ...(options.signingAlgorithm === undefined ? {} : { signingAlgorithm: options.signingAlgorithm }),
    })
  }

  /** Closes what was opened; never throws. */
  async close(): Promise<void> {
    const database = this.#database
    this.#database = null
    await database?.close().catch(() => {})
  }

  /** `error` as the CLI reports it, naming this session's database. */
  toCliError(error: unknown): CliError {
    return toCliError(error, this.#location?.display ?? 'the database')
  }
}

/**
 * A lifetime of your servers' configuration from the environment (`undefined` when unset: the
 * core's default).
 *
 * @throws CliError `configuration` when it is not a positive whole number
 */
function lifetimeFrom(env: Environment['env'], variable: string): number | undefined {
  const value = env[variable]?.trim()
  if (!value) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliError(
      'configuration',
      `${variable}=${JSON.stringify(value)} is not a whole number of at least 1: set it to your servers' setting, or unset it for the core's default`,
    )
  }
  return Number(value)
}

/** The error of a database whose migrations have not all run. */
export function migrationsPending(pending: readonly string[]): CliError {
  return new CliError(
    'migrations_pending',
    `the database has ${pending.length} migration(s) not yet run (${pending.join(', ')}): run sp-oauth migrate up first`,
    { details: { pending } },
  )
}

/** SQLSTATE classes and MySQL codes that mean the URL's user, password or database is wrong. */
const CONNECT_REFUSED = /^(28|3D000$|ER_ACCESS_DENIED_ERROR$|ER_BAD_DB_ERROR$|ER_DBACCESS_DENIED_ERROR$)/

/**
 * Any failure as a {@link CliError}: the storage unreachable → `database_unavailable`, the core's
 * `invalid_request` → `invalid_input` (its description names the field), a driver's error →
 * `database_error`, anything else → `internal`.
 */
export function toCliError(error: unknown, database: string): CliError {
  if (error instanceof CliError) return error
  const checkUrl =
    'check the database URL (--database-url or SP_OAUTH_DATABASE_URL) and that the server is running'
  if (error instanceof StorageUnavailableError) {
    return new CliError('database_unavailable', `cannot reach ${database} (${causeOf(error)}): ${checkUrl}`, {
      cause: error,
    })
  }
  if (error instanceof OAuthError) {
    return new CliError('invalid_input', error.description ?? error.code, { cause: error })
  }
  if (error instanceof ConfigurationError) {
    return new CliError('configuration', error.problems.join('; '), { cause: error })
  }
  if (error instanceof SpOAuthError) return new CliError('invalid_input', error.message, { cause: error })
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code === 'string' && CONNECT_REFUSED.test(code)) {
    return new CliError('database_unavailable', `cannot connect to ${database} (${message}): ${checkUrl}`, {
      cause: error,
    })
  }
  if (typeof code === 'string' || typeof (error as { errno?: unknown } | null)?.errno === 'number') {
    return new CliError('database_error', `${database} failed: ${message}`, { cause: error })
  }
  return new CliError('internal', `unexpected error: ${message} (a bug: please report it)`, { cause: error })
}

/** The driver's message under a StorageUnavailableError, which the storage wraps. */
function causeOf(error: StorageUnavailableError): string {
  const cause = error.cause
  if (cause instanceof Error && cause.message !== '') return cause.message
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'no connection'
}
