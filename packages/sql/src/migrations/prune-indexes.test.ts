import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { SqlDialect, SqlSchemaTypes } from '../sql-dialect.js'
import { resolveTableNames } from '../table-names.js'
import { recordingKysely, testDialect } from '../test-support/test-dialect.js'
import { PRUNE_INDEXES, type PruneIndex, pruneIndexes } from './prune-indexes.js'

const names = resolveTableNames({ tablePrefix: 'p_', schema: 'oauth' })

/**
 * The indexes the migration creates (the outbox's is the first migration's, the consent tickets'
 * is created with their table by `0007_consent_tickets`).
 */
const CREATED = PRUNE_INDEXES.filter(
  (entry) => entry.table !== 'event_outbox' && entry.table !== 'consent_tickets',
)

/** The `CREATE INDEX` of one entry, as Kysely's PostgreSQL compiler writes it. */
const createIndex = (entry: PruneIndex, ifNotExists: string): string =>
  `create index ${ifNotExists}"p_${entry.index}" on "oauth"."p_${entry.table}" (${entry.columns
    .map((column) => `"${column}"`)
    .join(', ')})`

/** The test dialect, with the schema types a migration asks for. */
function dialectWith(options: { readonly name: string; readonly indexIfNotExists: boolean }): SqlDialect {
  const types: SqlSchemaTypes = {
    key: sql`varchar(255)`,
    text: 'text',
    json: 'json',
    timestamp: 'timestamptz',
    boolean: 'boolean',
    identity: 'bigint',
    identityColumn: (column) => column,
    tableOptions: null,
    indexIfNotExists: options.indexIfNotExists,
    collation: null,
  }
  return { ...testDialect, name: options.name, schemaTypes: async () => types }
}

// What the migration sends, on Kysely's DummyDriver; PostgreSQL, PGlite and MariaDB run it in
// their packages, where the indexes are checked in the catalog and in query plans.
describe('0002_prune_indexes', () => {
  it('creates, if missing, an index for each PRUNE_INDEXES entry the first migration has none for, prefixed, on the prefixed table in the schema', async () => {
    const { db, queries } = recordingKysely()
    await pruneIndexes(names, dialectWith({ name: 'postgres', indexIfNotExists: true })).up(db)
    expect(queries.map((query) => query.sql)).toEqual(
      CREATED.map((entry) => createIndex(entry, 'if not exists ')),
    )
  })

  it('without CREATE INDEX IF NOT EXISTS (MySQL 8), asks the catalog for each index before creating it', async () => {
    const { db, queries } = recordingKysely()
    await pruneIndexes(names, dialectWith({ name: 'mysql', indexIfNotExists: false })).up(db)
    // The DummyDriver finds no index, so each is created.
    expect(queries.map((query) => query.sql.replace(/\s+/g, ' ').trim().split(' from ')[0])).toEqual(
      CREATED.flatMap((entry) => ['select 1 as found', createIndex(entry, '')]),
    )
    expect(queries.filter((query) => query.sql.includes('information_schema.statistics'))).toHaveLength(5)
  })

  it('down drops each index if it exists: schema-qualified on PostgreSQL, naming its table on MySQL', async () => {
    const postgres = recordingKysely()
    await pruneIndexes(names, dialectWith({ name: 'postgres', indexIfNotExists: true })).down?.(postgres.db)
    expect(postgres.queries.map((query) => query.sql)).toEqual(
      [...CREATED].reverse().map((entry) => `drop index if exists "oauth"."p_${entry.index}"`),
    )
    const mysql = recordingKysely()
    await pruneIndexes(names, dialectWith({ name: 'mysql', indexIfNotExists: true })).down?.(mysql.db)
    expect(mysql.queries.map((query) => query.sql)).toEqual(
      [...CREATED].reverse().map((entry) => `drop index if exists "p_${entry.index}" on "p_${entry.table}"`),
    )
  })
})
