import type { Storage } from '@sp-oauth/core'
import { createMemoryStorage } from '@sp-oauth/core/memory'
import { createPostgresStorage } from '@sp-oauth/postgres'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'

/** Where a test file's servers keep their state. */
export interface StorageUnderTest {
  readonly name: string
  /** A fresh, empty, ready storage (its own tables on PostgreSQL). */
  create(): Promise<Storage>
}

/** In-memory storage from `@sp-oauth/core/memory`. */
export function memoryStorage(): StorageUnderTest {
  return { name: 'memory', create: async () => createMemoryStorage() }
}

/**
 * PostgreSQL through `@sp-oauth/postgres`: a schema of its own for this test file (made and dropped
 * by the hooks `usePostgresTestSchema` registers), and fresh tables in it for each storage, so files
 * run in parallel without sharing a row.
 */
export function postgresStorage(): StorageUnderTest {
  const testSchema = usePostgresTestSchema()
  return {
    name: 'postgres',
    create: async () => {
      const { db, schema } = testSchema()
      const storage = createPostgresStorage({ db }, { schema, tablePrefix: freshTablePrefix() })
      await storage.migrate()
      return storage
    },
  }
}
