/**
 * What went wrong, as a script reads it: the `code` of the JSON error document and the process's
 * exit code (see EXIT_CODES). Messages are one line: what happened, and what to do.
 */
export type CliErrorCode =
  | 'usage'
  | 'invalid_input'
  | 'not_found'
  | 'database_unavailable'
  | 'database_in_use'
  | 'database_error'
  | 'migrations_pending'
  | 'configuration'
  | 'internal'

/** The exit codes, as documented in docs/cli.md. */
export const EXIT = Object.freeze({
  ok: 0,
  usage: 1,
  notFound: 2,
  database: 3,
  migrationsPending: 4,
  configuration: 5,
})

/** The exit code of each error code. */
export const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = Object.freeze({
  usage: EXIT.usage,
  invalid_input: EXIT.usage,
  internal: EXIT.usage,
  not_found: EXIT.notFound,
  database_unavailable: EXIT.database,
  database_in_use: EXIT.database,
  database_error: EXIT.database,
  migrations_pending: EXIT.migrationsPending,
  configuration: EXIT.configuration,
})

/** A failure the CLI reports as it is: its message on stderr, its code in `--json`'s error document. */
export class CliError extends Error {
  override name = 'CliError'
  readonly code: CliErrorCode
  /** Extra fields of the JSON error document (`pending`, `rows`, …). */
  readonly details: Readonly<Record<string, unknown>>

  constructor(
    code: CliErrorCode,
    message: string,
    options: { readonly details?: Readonly<Record<string, unknown>>; readonly cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.details = options.details ?? {}
  }

  get exitCode(): number {
    return EXIT_CODES[this.code]
  }
}

/** The message a hash-key-less server gives when something tries to hash with it. */
export const MISSING_HASH_KEY_MESSAGE =
  'this command needs the hash key your server hashes secrets with: set SP_OAUTH_HASH_KEY (its id in ' +
  'SP_OAUTH_HASH_KEY_ID, default "env") or SP_OAUTH_HASH_KEYS=id=secret,id2=secret2 (the first is current)'

/** A command that hashes or encrypts ran without a hash key. */
export function missingHashKey(): CliError {
  return new CliError('configuration', MISSING_HASH_KEY_MESSAGE)
}
