import { SpOAuthError } from './sp-oauth-error.js'

/** Options of {@link StorageUnavailableError}. */
export interface StorageUnavailableErrorOptions {
  /**
   * What could not be reached and what to check, e.g. `PostgreSQL at 127.0.0.1:5432 (database
   * oauth) could not be reached: …`. Never a password or connection string with credentials.
   * Default: `The storage is unavailable.`
   */
  readonly message?: string
  /** The driver's error, kept for logs; never rendered. */
  readonly cause?: unknown
  /** How long a client should wait before trying again: the `Retry-After` header. Default 5. */
  readonly retryAfterSeconds?: number
}

/** The `Retry-After` a {@link StorageUnavailableError} carries unless its storage says otherwise. */
export const DEFAULT_STORAGE_RETRY_AFTER_SECONDS = 5

/**
 * The storage could not be reached or lost its connection (refused, reset, terminated, timed
 * out): the request failed for a reason that is not the client's and may go away by itself.
 * Storage packages wrap connection-level driver failures in it (the driver's error as `cause`);
 * `renderError` answers it with `503 server_error` and a `Retry-After` header. A storage rejects
 * with it only when the change it was asked for was rolled back or never reached the database, or
 * when the database cannot say (a connection lost while committing): the client retries as it
 * would after a `500`, since a code or refresh token is consumed together with what it issues or
 * not at all.
 */
export class StorageUnavailableError extends SpOAuthError {
  static override readonly kind: string = 'StorageUnavailableError'
  override name = 'StorageUnavailableError'
  /** Seconds a client should wait before retrying, a positive integer. */
  readonly retryAfterSeconds: number

  constructor(options: StorageUnavailableErrorOptions = {}) {
    super(options.message ?? 'The storage is unavailable.', { cause: options.cause })
    const seconds = options.retryAfterSeconds ?? DEFAULT_STORAGE_RETRY_AFTER_SECONDS
    this.retryAfterSeconds =
      Number.isInteger(seconds) && seconds > 0 ? seconds : DEFAULT_STORAGE_RETRY_AFTER_SECONDS
  }
}
