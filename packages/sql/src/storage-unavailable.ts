import { SpOAuthError, StorageUnavailableError } from '@sp-oauth/core'
import type { SqlDialect } from './sql-dialect.js'

const CHECK =
  'Check that the database server is running and reachable from this host, and the host, port, ' +
  'database name, user and password the pool was given.'

/**
 * Turns a connection-level failure of `dialect`'s driver into the core's
 * {@link StorageUnavailableError} (the driver's error as `cause`), naming `target` and what was
 * being done; anything else (an `SpOAuthError`, a constraint violation, a bug) is returned as it is.
 *
 * @param target the database, for the message: `PostgreSQL at db:5432, database oauth`. Never
 *   credentials.
 */
export function asStorageUnavailable(
  dialect: SqlDialect,
  target: string,
  action: string,
  error: unknown,
): unknown {
  if (error instanceof SpOAuthError || !dialect.isConnectionFailure(error)) return error
  const reason = error instanceof Error && error.message !== '' ? error.message : String(error)
  return new StorageUnavailableError({
    message: `${target} could not be reached or lost its connection while ${action} (${reason}). ${CHECK}`,
    cause: error,
  })
}

/**
 * Runs `call` and rejects with a {@link StorageUnavailableError} instead of a connection-level
 * failure (see {@link asStorageUnavailable}).
 */
export function guardUnavailable<R>(
  dialect: SqlDialect,
  target: string,
  action: string,
  call: () => Promise<R>,
): Promise<R> {
  return call().catch((error: unknown) => {
    throw asStorageUnavailable(dialect, target, action, error)
  })
}

/** Node's socket error codes for a database that cannot be reached or dropped the connection. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** The `code` of `error` (or of the first error it aggregates, as Node's multi-address connect does). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') return String(code)
  const inner = (error as { errors?: unknown }).errors
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined
}
