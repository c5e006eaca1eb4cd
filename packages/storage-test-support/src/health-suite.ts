// server.health() on a real SQL storage: what it reports before the migrations ran, after, and
// with the database out of reach. Run by @sp-oauth/postgres and @sp-oauth/mysql.
import type { Storage } from '@sp-oauth/core'
import { expect } from 'vitest'
import { coreOn, sharedClock } from './core-guarantees.js'

/** A storage as the SQL packages make it: it can migrate and say what is not migrated yet. */
export interface MigratableStorage extends Storage {
  migrate(): Promise<void>
  pendingMigrations(): Promise<readonly string[]>
}

/**
 * On a storage whose tables do not exist yet: every migration is pending and the storage check
 * fails; after `migrate()`, none is pending and the server is healthy.
 */
export async function expectHealthAcrossMigration(storage: MigratableStorage): Promise<void> {
  const server = coreOn(storage, sharedClock())
  const before = await server.health()
  expect(before.healthy).toBe(false)
  expect(before.checks).toMatchObject({ storage: 'failed', migrations: 'pending' })
  expect(before.pendingMigrations[0]).toBe('0001_initial_schema')
  expect(before.pendingMigrations).toEqual([...before.pendingMigrations].sort())
  expect(await storage.pendingMigrations()).toEqual(before.pendingMigrations)
  await storage.migrate()
  expect(await server.health()).toEqual({
    healthy: true,
    checks: { storage: 'ok', migrations: 'ok', signingKeys: 'not used' },
    pendingMigrations: [],
    problems: [],
  })
}

/** On a storage whose database is out of reach: both checks say `unavailable`, and it answers. */
export async function expectHealthUnavailable(storage: Storage): Promise<void> {
  const report = await coreOn(storage, sharedClock()).health()
  expect(report).toMatchObject({
    healthy: false,
    checks: { storage: 'unavailable', migrations: 'unavailable' },
  })
  expect(report.problems).toHaveLength(2)
}
