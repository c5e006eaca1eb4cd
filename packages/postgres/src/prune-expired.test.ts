import { buildClientRecord } from '@sp-oauth/core/testing'
import { resolveTableNames, type SpOAuthDatabase, TableNamePlugin } from '@sp-oauth/sql'
import { type MigratedStorage, pruneExpiredSuite } from '@sp-oauth/storage-test-support/prune-expired-suite'
import type { Kysely } from 'kysely'
import { createPostgresStorage } from './create-postgres-storage.js'
import { freshTablePrefix, usePostgresTestSchema } from './test-support/postgres-test-schema.js'

const database = usePostgresTestSchema()

async function migratedStorage(): Promise<MigratedStorage> {
  const { db, schema } = database()
  const location = { tablePrefix: freshTablePrefix(), schema }
  const storage = createPostgresStorage({ db }, { ...location, outbox: true })
  await storage.migrate()
  const tables = (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
  const client = buildClientRecord()
  await storage.repositories.clients.insert(client)
  return { storage, tables, clientId: client.id }
}

pruneExpiredSuite(migratedStorage)
