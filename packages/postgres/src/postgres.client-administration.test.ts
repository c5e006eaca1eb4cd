// Client administration through the real core on real PostgreSQL and on PGlite.
import { PGlite } from '@electric-sql/pglite'
import { expectClientAdministration } from '@sp-oauth/storage-test-support/client-administration-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { describe, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()

describe('client administration through the core', () => {
  it('on PostgreSQL (pg Pool): pages, search, racing updates, the authentication method, lifetimes', async () => {
    const { db, schema } = database()
    const storage = createPostgresStorage({ db }, { schema, tablePrefix: freshTablePrefix() })
    await storage.migrate()
    await expectClientAdministration(storage)
  })

  it('on PGlite: the same', async () => {
    const pglite = new PGlite()
    const storage = createPostgresStorage({ pglite })
    try {
      await storage.migrate()
      await expectClientAdministration(storage)
    } finally {
      // Closes the PGlite instance it was given.
      await storage.close()
    }
  })
})
