import { buildClientRecord } from '@sp-oauth/core/testing'
import { resolveTableNames, type SpOAuthDatabase, TableNamePlugin } from '@sp-oauth/sql'
import { type MigratedStorage, pruneExpiredSuite } from '@sp-oauth/storage-test-support/prune-expired-suite'
import type { Kysely } from 'kysely'
import { createMysqlStorage } from './create-mysql-storage.js'
import { freshTablePrefix, useMysqlTestDatabase } from './test-support/mysql-test-database.js'

const database = useMysqlTestDatabase()

async function migratedStorage(): Promise<MigratedStorage> {
  const { db } = database()
  const location = { tablePrefix: freshTablePrefix() }
  const storage = createMysqlStorage({ db }, { ...location, outbox: true })
  await storage.migrate()
  const tables = (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
  const client = buildClientRecord()
  await storage.repositories.clients.insert(client)
  return { storage, tables, clientId: client.id }
}

pruneExpiredSuite(migratedStorage)
