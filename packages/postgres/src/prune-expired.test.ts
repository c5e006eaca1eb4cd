import { buildClientRecord } from '@sp-oauth/core/testing'
import {
  resolveTableNames,
  type SpOAuthDatabase,
  type SqlStorageOptions,
  TABLE_NAMES,
  TableNamePlugin,
} from '@sp-oauth/sql'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import {
  recordPruneCandidateQueries,
  seedPruneTables,
} from '@sp-oauth/storage-test-support/prune-candidate-queries'
import { type MigratedStorage, pruneExpiredSuite } from '@sp-oauth/storage-test-support/prune-expired-suite'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'

const database = usePostgresTestSchema()

async function migratedStorage(): Promise<MigratedStorage & { location: SqlStorageOptions }> {
  const { db, schema } = database()
  const location = { tablePrefix: freshTablePrefix(), schema }
  const storage = createPostgresStorage({ db }, { ...location, outbox: true })
  await storage.migrate()
  const tables = (db as Kysely<SpOAuthDatabase>).withPlugin(new TableNamePlugin(resolveTableNames(location)))
  const client = buildClientRecord()
  await storage.repositories.clients.insert(client)
  return { storage, tables, clientId: client.id, location }
}

pruneExpiredSuite(migratedStorage)

/** A node of `EXPLAIN (FORMAT JSON)`. */
interface PlanNode {
  readonly 'Node Type': string
  readonly 'Relation Name'?: string
  readonly Alias?: string
  readonly 'Index Name'?: string
  readonly Plans?: readonly PlanNode[]
}

/** How each scan of `table` (as `alias`) in the plan reads it: `index <name>`, or its node type. */
function scansOf(node: PlanNode, table: string, alias: string): string[] {
  const own =
    node['Relation Name'] === table && node.Alias === alias
      ? [
          node['Node Type'] === 'Bitmap Heap Scan'
            ? `index ${node.Plans?.[0]?.['Index Name']}`
            : node['Index Name'] === undefined
              ? node['Node Type']
              : `index ${node['Index Name']}`,
        ]
      : []
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, table, alias))]
}

describe('pruneExpired on thousands of rows', () => {
  it('selects each batch by a range scan of its PRUNE_INDEXES index, not a sequential scan of the table', async () => {
    const { pool, db } = database()
    const { tables, clientId, location } = await migratedStorage()
    await seedPruneTables(tables, clientId)
    const names = resolveTableNames(location)
    for (const table of TABLE_NAMES) {
      await sql`analyze ${sql.table(`${names.schema}.${names.tables[table]}`)}`.execute(db)
    }
    // A Kysely of its own on the file's pool, to log what pruneExpired sends (never destroyed:
    // that would end the pool).
    const candidates = await recordPruneCandidateQueries(
      (log) =>
        new Kysely<SpOAuthDatabase>({
          dialect: new PostgresDialect({ pool }),
          plugins: [new TableNamePlugin(names)],
          log,
        }),
      location,
    )
    const plans: Record<string, string[]> = {}
    for (const candidate of candidates) {
      const { rows } = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        CompiledQuery.raw(`explain (format json) ${candidate.query.sql}`, [...candidate.query.parameters]),
      )
      plans[candidate.index.prune] = scansOf(rows[0]!['QUERY PLAN'][0].Plan, candidate.table, candidate.alias)
    }
    expect(plans).toEqual(
      Object.fromEntries(
        candidates.map((candidate) => [candidate.index.prune, [`index ${candidate.indexName}`]]),
      ),
    )
  })
})
