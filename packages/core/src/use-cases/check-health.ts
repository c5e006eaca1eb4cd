import { StorageUnavailableError } from '../errors/storage-unavailable-error.js'
import type { ServerContext } from './internal/server-context.js'

/** How one dependency of the server is doing. */
export type HealthStatus = 'ok' | 'unavailable' | 'failed' | 'pending' | 'unknown' | 'not used'

/** What `server.health()` found: `healthy` when every check is `ok`, `not used` or `unknown` (a storage that cannot tell its migrations). */
export interface HealthReport {
  readonly healthy: boolean
  readonly checks: {
    /** A read by primary key: `unavailable` when the database cannot be reached, `failed` on any other error. */
    readonly storage: HealthStatus
    /** `pending` when the storage reports migrations not yet run; `unknown` when it cannot tell. */
    readonly migrations: HealthStatus
    /** JWT access tokens only: the active signing key loads and decrypts. */
    readonly signingKeys: HealthStatus
  }
  /** The names of the migrations not yet run. */
  readonly pendingMigrations: readonly string[]
  /** What went wrong, one line per failed check, for your logs (not for the public). */
  readonly problems: readonly string[]
}

/** A client id no client has: the lookup costs one primary-key read and finds nothing. */
const NO_CLIENT = '00000000-0000-4000-8000-000000000000'

/**
 * Checks what the server needs to answer: the storage answers a read, its migrations have all run,
 * and (with JWT access tokens) the active signing key decrypts under the configured keys. Never
 * rejects: a failure is a check's status. For a readiness probe; see the HTTP `healthPath` option.
 */
export async function checkHealth(context: ServerContext): Promise<HealthReport> {
  const problems: string[] = []
  const fail = (check: string, error: unknown): HealthStatus => {
    problems.push(`${check}: ${error instanceof Error ? error.message : String(error)}`)
    return error instanceof StorageUnavailableError ? 'unavailable' : 'failed'
  }
  let storage: HealthStatus = 'ok'
  try {
    await context.storage.repositories.clients.findById(NO_CLIENT)
  } catch (error) {
    storage = fail('storage', error)
  }
  let migrations: HealthStatus = 'unknown'
  let pendingMigrations: readonly string[] = []
  if (context.storage.pendingMigrations) {
    try {
      pendingMigrations = await context.storage.pendingMigrations()
      migrations = pendingMigrations.length === 0 ? 'ok' : 'pending'
      if (migrations === 'pending') problems.push(`migrations: not yet run: ${pendingMigrations.join(', ')}`)
    } catch (error) {
      migrations = fail('migrations', error)
    }
  }
  let signingKeys: HealthStatus = 'not used'
  if (context.config.accessTokenFormat === 'jwt') {
    try {
      // None yet is fine: the first issuance creates it.
      await context.signingKeys.activeKey()
      signingKeys = 'ok'
    } catch (error) {
      signingKeys = fail('signingKeys', error)
    }
  }
  const checks = { storage, migrations, signingKeys }
  const healthy = Object.values(checks).every(
    (status) => status === 'ok' || status === 'not used' || status === 'unknown',
  )
  return { healthy, checks, pendingMigrations, problems }
}
