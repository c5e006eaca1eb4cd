import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.js'
import type { TableNames } from '../table-names.js'
import { atomicIssuanceProcedures } from './atomic-issuance-procedures.js'
import { clientAdministration } from './client-administration.js'
import { clientApplicationType } from './client-application-type.js'
import { clientResourceServer } from './client-resource-server.js'
import { consentTickets } from './consent-tickets.js'
import { initialSchema } from './initial-schema.js'
import { issuanceClientLive } from './issuance-client-live.js'
import { issuanceWithoutEmptyEvents } from './issuance-without-empty-events.js'
import { loadKyselyMigrator, type MigrationOutcome } from './kysely-migrator.js'
import type { Migration } from './migration.js'
import { pruneIndexes } from './prune-indexes.js'
import { userCodeRevocationIndex } from './user-code-revocation-index.js'
import { userRevocationIndexes } from './user-revocation-indexes.js'

/** Every migration, by name; names sort in the order they run. */
export function spOAuthMigrations(names: TableNames, dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial_schema': initialSchema(names, dialect),
    '0002_prune_indexes': pruneIndexes(names, dialect),
    '0003_atomic_issuance': atomicIssuanceProcedures(names, dialect),
    '0004_client_application_type': clientApplicationType(names, dialect),
    '0005_issuance_client_live': issuanceClientLive(names, dialect),
    '0006_user_revocation': userRevocationIndexes(names, dialect),
    '0007_consent_tickets': consentTickets(names, dialect),
    '0008_client_resource_server': clientResourceServer(names, dialect),
    '0009_user_code_revocation': userCodeRevocationIndex(names, dialect),
    '0010_issuance_without_empty_events': issuanceWithoutEmptyEvents(names, dialect),
    '0011_client_administration': clientAdministration(names, dialect),
  }
}

/**
 * Runs the migrations not yet run, in order, with Kysely's `Migrator`. Their history lives in
 * `<prefix>migration` (with `<prefix>migration_lock`), in the configured schema, so each prefix has
 * its own; running it again when everything is applied does nothing. Concurrent runs wait for each
 * other (Kysely takes a database lock).
 *
 * @param db a Kysely instance without the table name plugin (the migrator names its own tables).
 * @throws the error of the migration that failed; earlier ones stay applied.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  names: TableNames,
): Promise<void> {
  const migrator = await spOAuthMigrator(db, dialect, names)
  for (let attempt = 1; ; attempt++) {
    const outcome = await migrator.migrateToLatest()
    if (outcome.error === undefined) return
    if (!settingUpRaceLost(outcome, attempt)) throw outcome.error
  }
}

/** How many times a set-up that lost a race with a concurrent `DROP` is tried in all. */
const SET_UP_ATTEMPTS = 3

/**
 * Whether a run failed while Kysely set up its own tables, because a schema or table vanished
 * under it: to check whether its tables exist, Kysely lists every table of the database, and
 * another client dropping a schema at that moment makes the listing fail (PostgreSQL
 * `invalid_schema_name` 3F000 or `undefined_table` 42P01). No migration ran then (`results` is
 * absent), so running again is safe; a failure of a migration itself never matches.
 */
export function settingUpRaceLost(outcome: MigrationOutcome, attempt: number): boolean {
  if (attempt >= SET_UP_ATTEMPTS || outcome.results !== undefined) return false
  const code = (outcome.error as { code?: unknown } | null)?.code
  return code === '3F000' || code === '42P01'
}

/** The names of the migrations not yet run, in the order they would run; all of them on an empty database. */
export async function pendingMigrations<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  names: TableNames,
): Promise<readonly string[]> {
  const migrator = await spOAuthMigrator(db, dialect, names)
  return retryWhileSchemasVanish(async () =>
    (await migrator.getMigrations())
      .filter((migration) => migration.executedAt === undefined)
      .map(({ name }) => name),
  )
}

/**
 * Runs `read`, a read of Kysely's migration state, again (up to three times in all) when it failed
 * because a schema or table vanished while Kysely listed every table of the database: another
 * client dropping its own schema at that moment (see {@link settingUpRaceLost}). A read changes
 * nothing, so reading again is safe.
 */
export async function retryWhileSchemasVanish<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (error) {
      if (!settingUpRaceLost({ error }, attempt)) throw error
    }
  }
}

async function spOAuthMigrator<DB>(db: Kysely<DB>, dialect: SqlDialect, names: TableNames) {
  const Migrator = await loadKyselyMigrator()
  return new Migrator({
    db,
    provider: { getMigrations: async () => spOAuthMigrations(names, dialect) },
    migrationTableName: names.migrationTable,
    migrationLockTableName: names.migrationLockTable,
    ...(names.schema === null ? {} : { migrationTableSchema: names.schema }),
  })
}
