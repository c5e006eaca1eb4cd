import type { Kysely } from 'kysely'

/**
 * One schema migration, shaped as Kysely's `Migration`. Declared here because kysely 0.28 exports
 * that type from `kysely` and 0.29 from `kysely/migration` only (its `kysely` export is a type
 * error): naming either in our declarations would break the other version's users.
 */
export interface Migration {
  // biome-ignore lint/suspicious/noExplicitAny: a migration runs before any table type holds
  up(db: Kysely<any>): Promise<void>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  down?(db: Kysely<any>): Promise<void>
}
