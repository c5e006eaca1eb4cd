import { ConfigurationError, type OAuthEvent } from '@sp-oauth/core'
import { buildClientRecord, buildConsentRecord } from '@sp-oauth/core/testing'
import {
  createSqlStorage,
  LOOKUP_INDEXES,
  PRUNE_INDEXES,
  resolveTableNames,
  type SqlDialect,
  spOAuthMigrations,
} from '@sp-oauth/sql'
import { checkClientApplicationTypeMigration } from '@sp-oauth/storage-test-support/client-application-type-migration'
import { closedPort } from '@sp-oauth/storage-test-support/core-guarantees'
import {
  expectHealthAcrossMigration,
  expectHealthUnavailable,
} from '@sp-oauth/storage-test-support/health-suite'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { deferred, freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { type Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { mysqlSqlDialect } from './mysql-sql-dialect.js'

const database = useMysqlTestDatabase()

/** A migrated storage with tables of its own in this file's database. */
async function migratedStorage(options: { readonly outbox?: boolean } = {}) {
  const { db } = database()
  const tablePrefix = freshTablePrefix()
  const storage = createMysqlStorage({ db }, { tablePrefix, ...options })
  await storage.migrate()
  return { storage, tablePrefix, db }
}

async function tablesOf(db: Kysely<unknown>, prefix: string): Promise<string[]> {
  const tables = await db.introspection.getTables()
  return tables
    .filter((table) => table.name.startsWith(prefix))
    .map((table) => table.name)
    .sort()
}

describe('health', () => {
  it('before migrate(): every migration pending and the storage check failed; after: healthy', async () => {
    const { db } = database()
    await expectHealthAcrossMigration(createMysqlStorage({ db }, { tablePrefix: freshTablePrefix() }))
  })

  it('with the database out of reach: storage and migrations unavailable, and an answer', async () => {
    const pool = createTestPool({
      host: '127.0.0.1',
      port: await closedPort(),
      user: 'root',
      connectTimeout: 2_000,
    })
    const storage = createMysqlStorage({ pool })
    try {
      await expectHealthUnavailable(storage)
    } finally {
      await storage.close()
    }
  })
})

describe('migrate', () => {
  it('0004_client_application_type: clients stored before become web, with silent consent only when confidential; down drops the columns', async () => {
    const { db } = database()
    await checkClientApplicationTypeMigration(
      db,
      mysqlSqlDialect,
      { tablePrefix: freshTablePrefix() },
      (location) => createMysqlStorage({ db }, location),
    )
  })

  it('creates every table, with the prefix, binary no-pad collation and InnoDB, and records the migration', async () => {
    const { tablePrefix, db } = await migratedStorage()
    expect(await tablesOf(db, tablePrefix)).toEqual(
      [
        'access_tokens',
        'authorization_codes',
        'clients',
        'consent_tickets',
        'consents',
        'event_outbox',
        'migration',
        'migration_lock',
        'refresh_tokens',
        'signing_keys',
      ].map((name) => `${tablePrefix}${name}`),
    )
    const { rows } = await sql<{ name: string; engine: string; collation: string }>`
      select table_name as name, engine, table_collation as collation from information_schema.tables
      where table_schema = database() and table_name like ${`${tablePrefix}%`}
        and table_name not like ${`${tablePrefix}migration%`}`.execute(db)
    expect(rows).toHaveLength(8)
    for (const row of rows) {
      expect(row.engine).toBe('InnoDB')
      expect(['utf8mb4_nopad_bin', 'utf8mb4_0900_bin']).toContain(row.collation)
    }
  })

  it('is idempotent: a second and third run change nothing and keep the data', async () => {
    const { storage, tablePrefix, db } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    await storage.migrate()
    await Promise.all([storage.migrate(), storage.migrate()])
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    const history = await sql<{
      name: string
    }>`select name from ${sql.table(`${tablePrefix}migration`)}`.execute(db)
    expect(history.rows.map((row) => row.name).sort()).toEqual(
      Object.keys(spOAuthMigrations(resolveTableNames({ tablePrefix }), mysqlSqlDialect)).sort(),
    )
  })

  it('two table prefixes coexist in one database, each with its own tables and migration history', async () => {
    const first = await migratedStorage()
    const second = await migratedStorage()
    const client = buildClientRecord()
    await first.storage.repositories.clients.insert(client)
    expect(await second.storage.repositories.clients.findById(client.id)).toBeNull()
    await second.storage.repositories.clients.insert(client)
    await second.storage.repositories.clients.revoke(client.id, new Date('2030-01-01T00:00:00.001Z'))
    expect(await first.storage.repositories.clients.findById(client.id)).toEqual(client)
    expect(await tablesOf(first.db, second.tablePrefix)).toContain(`${second.tablePrefix}migration`)
  })

  it('creates an index for every lookup the repositories make and every pruneExpired query (the leading columns of a real index)', async () => {
    const { tablePrefix, db } = await migratedStorage()
    expect(missingIndexes(await indexesIn(db, tablePrefix), tablePrefix)).toEqual([])
  })

  it('0002_prune_indexes: down drops the pruning indexes, up brings them back, each idempotent, also without CREATE INDEX IF NOT EXISTS (MySQL 8)', async () => {
    const { tablePrefix, db } = await migratedStorage()
    const names = resolveTableNames({ tablePrefix })
    const pruneIndexNames = PRUNE_INDEXES.map((index) => `${tablePrefix}${index.index}`)
    const left = async () =>
      (await indexesIn(db, tablePrefix))
        .map((index) => index.name)
        .filter((name) => pruneIndexNames.includes(name))
    // MariaDB's schema types, but as on MySQL 8: the migration asks the catalog instead.
    const asMysql8: SqlDialect = {
      ...mysqlSqlDialect,
      schemaTypes: async (migrationDb) => ({
        ...(await mysqlSqlDialect.schemaTypes(migrationDb)),
        indexIfNotExists: false,
      }),
    }
    for (const dialect of [mysqlSqlDialect, asMysql8]) {
      const migration = spOAuthMigrations(names, dialect)['0002_prune_indexes']!
      await migration.down?.(db)
      await migration.down?.(db)
      // The outbox's comes from the first migration, the consent tickets' from 0007: they stay.
      expect((await left()).sort()).toEqual([
        `${tablePrefix}consent_tickets_expires_at`,
        `${tablePrefix}event_outbox_undelivered`,
      ])
      await migration.up(db)
      await migration.up(db)
      expect(missingIndexes(await indexesIn(db, tablePrefix), tablePrefix)).toEqual([])
    }
  })

  it('0006_user_revocation: down drops the (user_id, client_id) indexes, up brings them back, each idempotent, also without CREATE INDEX IF NOT EXISTS (MySQL 8)', async () => {
    const { tablePrefix, db } = await migratedStorage()
    const names = resolveTableNames({ tablePrefix })
    const userIndexNames = [
      'access_tokens_user_client',
      'refresh_tokens_user_client',
      'consents_user_client',
    ].map((name) => `${tablePrefix}${name}`)
    const left = async () =>
      (await indexesIn(db, tablePrefix))
        .map((index) => index.name)
        .filter((name) => userIndexNames.includes(name))
    const asMysql8: SqlDialect = {
      ...mysqlSqlDialect,
      schemaTypes: async (migrationDb) => ({
        ...(await mysqlSqlDialect.schemaTypes(migrationDb)),
        indexIfNotExists: false,
      }),
    }
    expect((await left()).sort()).toEqual([...userIndexNames].sort())
    for (const dialect of [mysqlSqlDialect, asMysql8]) {
      const migration = spOAuthMigrations(names, dialect)['0006_user_revocation']!
      await migration.down?.(db)
      await migration.down?.(db)
      expect(await left()).toEqual([])
      expect(missingIndexes(await indexesIn(db, tablePrefix), tablePrefix).join('\n')).toMatch(/revokeByUser/)
      await migration.up(db)
      await migration.up(db)
      expect(missingIndexes(await indexesIn(db, tablePrefix), tablePrefix)).toEqual([])
    }
  })
})

/** One index of the catalog. */
interface CatalogIndex {
  readonly table: string
  readonly name: string
  readonly columns: string[]
  readonly unique: boolean
}

async function indexesIn(db: Kysely<unknown>, tablePrefix: string): Promise<CatalogIndex[]> {
  const { rows } = await sql<{
    table: string
    name: string
    position: number
    column: string
    unique: number
  }>`
    select table_name as ${sql.id('table')}, index_name as name, seq_in_index as position,
      column_name as ${sql.id('column')}, 1 - non_unique as ${sql.id('unique')}
    from information_schema.statistics
    where table_schema = database() and table_name like ${`${tablePrefix}%`}
    order by table_name, index_name, seq_in_index`.execute(db)
  const indexes = new Map<string, CatalogIndex>()
  for (const row of rows) {
    const key = `${row.table}.${row.name}`
    const index = indexes.get(key) ?? {
      table: row.table,
      name: row.name,
      columns: [],
      unique: Number(row.unique) === 1,
    }
    index.columns.push(row.column)
    indexes.set(key, index)
  }
  return [...indexes.values()]
}

/** Each entry of LOOKUP_INDEXES and PRUNE_INDEXES no index of `indexes` serves (a prune index by its name). */
function missingIndexes(indexes: readonly CatalogIndex[], tablePrefix: string): string[] {
  const serves = (index: CatalogIndex, entry: { table: string; columns: readonly string[] }) =>
    index.table === `${tablePrefix}${entry.table}` &&
    entry.columns.every((column, i) => index.columns[i] === column)
  return [
    ...LOOKUP_INDEXES.filter(
      (entry) => !indexes.some((index) => serves(index, entry) && (!entry.unique || index.unique)),
    ).map((entry) => `${entry.lookup}: index on ${entry.table} (${entry.columns.join(', ')})`),
    ...PRUNE_INDEXES.filter(
      (entry) =>
        !indexes.some((index) => serves(index, entry) && index.name === `${tablePrefix}${entry.index}`),
    ).map(
      (entry) =>
        `pruneExpired, ${entry.prune}: ${entry.index} on ${entry.table} (${entry.columns.join(', ')})`,
    ),
  ]
}

describe('createMysqlStorage', () => {
  it('refuses a table prefix that is not a plain lower-case identifier', () => {
    const { db } = database()
    expect(() => createMysqlStorage({ db }, { tablePrefix: 'x`; drop table y; --' })).toThrow(
      ConfigurationError,
    )
  })

  it('works on a mysql2 pool it is given, and close() ends that pool', async () => {
    const { poolOptions } = database()
    const pool = createTestPool({ ...poolOptions, connectionLimit: 2 })
    const storage = createMysqlStorage({ pool }, { tablePrefix: freshTablePrefix() })
    await storage.migrate()
    const client = buildClientRecord()
    await storage.unitOfWork.run((tx) => tx.clients.insert(client))
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    await storage.close()
    await expect(
      new Promise((resolve, reject) =>
        pool.query('select 1', (error) => (error ? reject(error) : resolve(null))),
      ),
    ).rejects.toThrow()
  })

  it('close() leaves a Kysely instance passed as db alone', async () => {
    const { storage, db } = await migratedStorage()
    await storage.close()
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }])
  })
})

describe('unit of work', () => {
  it('hands out no outbox unless asked to', async () => {
    const { storage } = await migratedStorage()
    expect(await storage.unitOfWork.run(async (tx) => tx.outbox)).toBeUndefined()
  })

  it('two units that read then rewrite one consent: the deadlock loser runs again and keeps the winner change (no lost update)', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const consent = buildConsentRecord({ clientId: client.id, scopes: ['base'] })
    await storage.repositories.consents.upsert(consent)
    const firstRead = deferred()
    const secondRead = deferred()
    let runs = 0
    const addScope = (scope: string, readDone: () => void, otherRead: Promise<void>) =>
      storage.unitOfWork.run(async (tx) => {
        runs++
        const existing = await tx.consents.find(consent.userId, client.id)
        readDone()
        await otherRead
        await tx.consents.upsert({ ...consent, scopes: [...(existing?.scopes ?? []), scope] })
      })
    await Promise.all([
      addScope('a', () => firstRead.resolve(), secondRead.promise),
      addScope('b', () => secondRead.resolve(), firstRead.promise),
    ])
    const stored = await storage.repositories.consents.find(consent.userId, client.id)
    expect([...(stored?.scopes ?? [])].sort()).toEqual(['a', 'b', 'base'])
    expect(runs).toBe(3)
  })

  it('rejects with the deadlock once the attempts are used up', async () => {
    const { tablePrefix, db } = await migratedStorage()
    const storage = createSqlStorage(db, mysqlSqlDialect, { tablePrefix, retry: { maxAttempts: 1 } })
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const consent = buildConsentRecord({ clientId: client.id })
    await storage.repositories.consents.upsert(consent)
    const firstRead = deferred()
    const secondRead = deferred()
    const rewrite = (readDone: () => void, otherRead: Promise<void>) =>
      storage.unitOfWork.run(async (tx) => {
        await tx.consents.find(consent.userId, client.id)
        readDone()
        await otherRead
        await tx.consents.upsert({ ...consent, updatedAt: new Date('2030-01-01T00:00:00.001Z') })
      })
    const outcomes = await Promise.allSettled([
      rewrite(() => firstRead.resolve(), secondRead.promise),
      rewrite(() => secondRead.resolve(), firstRead.promise),
    ])
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected')
    expect(rejected).toHaveLength(1)
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ errno: 1213 })
  })
})

describe('event outbox', () => {
  function events(clientId: string): OAuthEvent[] {
    const occurredAt = new Date('2030-01-01T00:00:00.123Z')
    return [
      { type: 'OAuthClientRevoked', id: crypto.randomUUID(), occurredAt, clientId },
      {
        type: 'OAuthClientAuthenticationFailed',
        id: crypto.randomUUID(),
        occurredAt,
        clientId: null,
        reason: 'unknown_client',
      },
    ]
  }

  it('stores each event with a growing id, its id, type, aggregate (its client), JSON payload and time, undelivered', async () => {
    const { storage, tablePrefix, db } = await migratedStorage({ outbox: true })
    const client = buildClientRecord()
    const appended = events(client.id)
    await storage.unitOfWork.run(async (tx) => {
      await tx.clients.insert(client)
      await tx.outbox!.append(appended)
    })
    const { rows } = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(`${tablePrefix}event_outbox`)} order by id`.execute(db)
    expect(
      rows.map(({ id: _id, payload, ...row }) => ({ ...row, payload: JSON.parse(String(payload)) })),
    ).toEqual(
      appended.map((event) => ({
        event_id: event.id,
        type: event.type,
        aggregate_id: event.clientId === null ? 'client:unknown' : `client:${event.clientId}`,
        payload: JSON.parse(JSON.stringify(event)),
        occurred_at: event.occurredAt,
        delivered_at: null,
      })),
    )
    expect(Number(rows[0]!.id)).toBeLessThan(Number(rows[1]!.id))
  })

  it('lets two relays claim undelivered rows in id order with FOR UPDATE SKIP LOCKED, never the same row', async () => {
    const { storage, tablePrefix, db } = await migratedStorage({ outbox: true })
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    for (let i = 0; i < 3; i++) await storage.unitOfWork.run((tx) => tx.outbox!.append(events(client.id)))
    const outbox = sql.table(`${tablePrefix}event_outbox`)
    const claim = (trx: Kysely<unknown>) =>
      sql<{
        id: number
      }>`select id from ${outbox} where delivered_at is null order by id limit 4 for update skip locked`.execute(
        trx,
      )
    const firstClaimed = deferred<number[]>()
    const secondDone = deferred()
    const first = db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const { rows } = await claim(trx)
        firstClaimed.resolve(rows.map((row) => Number(row.id)))
        await secondDone.promise
        await sql`update ${outbox} set delivered_at = utc_timestamp(3) where id in (${sql.join(rows.map((row) => row.id))})`.execute(
          trx,
        )
      })
    const firstIds = await firstClaimed.promise
    const secondIds = await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => (await claim(trx)).rows.map((row) => Number(row.id)))
    secondDone.resolve()
    await first
    expect(firstIds).toHaveLength(4)
    expect(secondIds).toHaveLength(2)
    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([])
    expect([...firstIds, ...secondIds]).toEqual([...firstIds, ...secondIds].sort((a, b) => a - b))
  })
})

describe('values reaching storage', () => {
  it('consents of users whose ids differ only by quotes, backslashes, SQL and trailing spaces are stored and matched exactly', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const userIds = [
      "o'brien",
      "o''brien",
      'o\\brien',
      "x' or '1'='1",
      'x`; drop table clients; --',
      '%',
      '_',
      'a',
      'a ',
      'A',
      'á',
    ]
    for (const userId of userIds) {
      await storage.repositories.consents.upsert(
        buildConsentRecord({ userId, clientId: client.id, scopes: [userId] }),
      )
    }
    for (const userId of userIds) {
      expect((await storage.repositories.consents.find(userId, client.id))?.scopes).toEqual([userId])
    }
    expect(await storage.repositories.consents.deleteByClient(client.id)).toBe(userIds.length)
  })

  it('a NUL byte is stored and matched exactly (MySQL text may hold one; PostgreSQL refuses it)', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord({ name: 'a\u0000b' })
    await storage.repositories.clients.insert(client)
    const consent = buildConsentRecord({ userId: 'user\u0000', clientId: client.id })
    await storage.repositories.consents.upsert(consent)
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    expect(await storage.repositories.consents.find('user\u0000', client.id)).toEqual(consent)
    expect(await storage.repositories.consents.find('user', client.id)).toBeNull()
  })
})
