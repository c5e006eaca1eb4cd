import type { Kysely } from 'kysely'
import * as kysely from 'kysely'
import type { Migration } from './migration.js'

/** What `migrateToLatest` reads of a run of Kysely's `Migrator`. */
export interface MigrationOutcome {
  readonly error?: unknown
  readonly results?: readonly unknown[] | undefined
}

/** The part of Kysely's `Migrator` sp-oauth uses. */
export interface KyselyMigrator {
  migrateToLatest(): Promise<MigrationOutcome>
  /** Every migration the provider gives, each with when it ran (`undefined`: not yet). */
  getMigrations(): Promise<readonly { readonly name: string; readonly executedAt: Date | undefined }[]>
}

/** The options sp-oauth gives Kysely's `Migrator`. */
export interface KyselyMigratorProps {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own type for the migrator's instance
  readonly db: Kysely<any>
  readonly provider: { getMigrations(): Promise<Record<string, Migration>> }
  readonly migrationTableName: string
  readonly migrationLockTableName: string
  readonly migrationTableSchema?: string
}

type MigratorClass = new (props: KyselyMigratorProps) => KyselyMigrator

// A variable, not a literal: kysely 0.28 has no `kysely/migration` for the type checker to find.
const MOVED_TO = 'kysely/migration'

let loaded: Promise<MigratorClass> | undefined

/**
 * Kysely's `Migrator` class, from wherever the installed kysely keeps it: `kysely` up to 0.28,
 * `kysely/migration` from 0.29 (whose `kysely` no longer exports it). Loaded once.
 */
export function loadKyselyMigrator(): Promise<MigratorClass> {
  loaded ??= (async () => {
    // Read from the namespace the rest of the package imports (the same copy, CJS or ESM).
    const root = kysely as unknown as { Migrator?: MigratorClass }
    if (typeof root.Migrator === 'function') return root.Migrator
    const moved = (await import(MOVED_TO)) as { Migrator?: MigratorClass }
    if (typeof moved.Migrator !== 'function') {
      throw new Error('The installed kysely exports no Migrator from "kysely" or "kysely/migration".')
    }
    return moved.Migrator
  })()
  return loaded
}
