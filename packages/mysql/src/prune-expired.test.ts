import { buildClientRecord } from '@sp-oauth/core/testing'
import {
  resolveTableNames,
  type SpOAuthDatabase,
  type SqlStorageOptions,
  TABLE_NAMES,
  TableNamePlugin,
} from '@sp-oauth/sql'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import {
  recordPruneCandidateQueries,
  seedPruneTables,
} from '@sp-oauth/storage-test-support/prune-candidate-queries'
import { type MigratedStorage, pruneExpiredSuite } from '@sp-oauth/storage-test-support/prune-expired-suite'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'

const database = useMysqlTestDatabase()

async function migratedStorage(): Promise<MigratedStorage & { location: SqlStorageOptions }> {
  const { db } = database()
  const location = { tablePrefix: freshTablePrefix() }
  const storage = createMysqlStorage({ db }, { ...location, outbox: true })
  await storage.migrate()
  const tables = (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
  const client = buildClientRecord()
  await storage.repositories.clients.insert(client)
  return { storage, tables, clientId: client.id, location }
}

pruneExpiredSuite(migratedStorage)

/** A row of MySQL's tabular `EXPLAIN`. */
interface ExplainRow {
  readonly table: string | null
  readonly type: string | null
  readonly key: string | null
}

describe('pruneExpired on thousands of rows', () => {
  it('selects each batch by a range scan of its PRUNE_INDEXES index, not a full scan of the table', async () => {
    const { db, poolOptions } = database()
    const { tables, clientId, location } = await migratedStorage()
    await seedPruneTables(tables, clientId)
    const names = resolveTableNames(location)
    for (const table of TABLE_NAMES) await sql`analyze table ${sql.table(names.tables[table])}`.execute(db)
    // A Kysely of its own, on a pool of its own, to log what pruneExpired sends.
    const logging: Kysely<SpOAuthDatabase>[] = []
    try {
      const candidates = await recordPruneCandidateQueries((log) => {
        const logged = new Kysely<SpOAuthDatabase>({
          dialect: new MysqlDialect({ pool: createTestPool({ ...poolOptions, connectionLimit: 1 }) }),
          plugins: [new TableNamePlugin(names)],
          log,
        })
        logging.push(logged)
        return logged
      }, location)
      // Access type `range` on the index: rows found by a range of it (`ALL` would read the table,
      // `index` the whole index).
      const plans: Record<string, string[]> = {}
      for (const candidate of candidates) {
        const { rows } = await db.executeQuery<ExplainRow>(
          CompiledQuery.raw(`explain ${candidate.query.sql}`, [...candidate.query.parameters]),
        )
        plans[candidate.index.prune] = rows
          .filter((row) => row.table === candidate.alias)
          .map((row) => `${row.type} ${row.key}`)
      }
      expect(plans).toEqual(
        Object.fromEntries(
          candidates.map((candidate) => [candidate.index.prune, [`range ${candidate.indexName}`]]),
        ),
      )
    } finally {
      await Promise.all(logging.map((logged) => logged.destroy()))
    }
  })
})
