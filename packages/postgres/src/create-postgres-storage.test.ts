import { PGlite } from '@electric-sql/pglite'
import { ConfigurationError, type OAuthEvent } from '@sp-oauth/core'
import { buildAccessTokenRecord, buildClientRecord, buildConsentRecord } from '@sp-oauth/core/testing'
import {
  createSqlStorage,
  LOOKUP_INDEXES,
  PRUNE_INDEXES,
  resolveTableNames,
  spOAuthMigrations,
} from '@sp-oauth/sql'
import { checkClientApplicationTypeMigration } from '@sp-oauth/storage-test-support/client-application-type-migration'
import { closedPort } from '@sp-oauth/storage-test-support/core-guarantees'
import {
  expectHealthAcrossMigration,
  expectHealthUnavailable,
} from '@sp-oauth/storage-test-support/health-suite'
import { usePostgresTestSchema } from '@sp-oauth/storage-test-support/postgres-test-schema'
import { deferred, freshTablePrefix, randomSuffix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createPostgresStorage } from './create-postgres-storage.js'
import { PGliteDialect } from './pglite-dialect.js'
import { postgresSqlDialect } from './postgres-sql-dialect.js'

const database = usePostgresTestSchema()

/** A migrated storage with tables of its own in this file's schema. */
async function migratedStorage(options: { readonly outbox?: boolean } = {}) {
  const { db, schema } = database()
  const tablePrefix = freshTablePrefix()
  const storage = createPostgresStorage({ db }, { tablePrefix, schema, ...options })
  await storage.migrate()
  return { storage, tablePrefix, schema, db }
}

/**
 * The tables of `schema` whose names start with `prefix`. Asked of this schema alone: listing every
 * table of the database would race with other test files dropping their schemas.
 */
async function tablesOf(db: Kysely<unknown>, schema: string, prefix: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = ${schema} and table_type = 'BASE TABLE'`.execute(db)
  return rows
    .map((row) => row.name)
    .filter((name) => name.startsWith(prefix))
    .sort()
}

describe('health', () => {
  it('before migrate(): every migration pending and the storage check failed; after: healthy', async () => {
    const { db, schema } = database()
    await expectHealthAcrossMigration(
      createPostgresStorage({ db }, { tablePrefix: freshTablePrefix(), schema }),
    )
  })

  it('with the database out of reach: storage and migrations unavailable, and an answer', async () => {
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: await closedPort(),
      user: 'postgres',
      connectionTimeoutMillis: 2_000,
    })
    const storage = createPostgresStorage({ pool })
    try {
      await expectHealthUnavailable(storage)
    } finally {
      await storage.close()
    }
  })
})

describe('migrate', () => {
  it('0004_client_application_type: clients stored before become web, with silent consent only when confidential; down drops the columns', async () => {
    const { db, schema } = database()
    await checkClientApplicationTypeMigration(
      db,
      postgresSqlDialect,
      { tablePrefix: freshTablePrefix(), schema },
      (location) => createPostgresStorage({ db }, location),
    )
  })

  it('creates every table, with the prefix, in the schema, and records the migration in <prefix>migration', async () => {
    const { tablePrefix, schema, db } = await migratedStorage()
    expect(await tablesOf(db, schema, tablePrefix)).toEqual(
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
  })

  it('is idempotent: a second and third run change nothing and keep the data', async () => {
    const { storage, tablePrefix, schema, db } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    await storage.migrate()
    await Promise.all([storage.migrate(), storage.migrate()])
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    const history = await sql<{
      name: string
    }>`select name from ${sql.table(`${schema}.${tablePrefix}migration`)}`.execute(db)
    expect(history.rows.map((row) => row.name).sort()).toEqual(
      Object.keys(spOAuthMigrations(resolveTableNames({ tablePrefix, schema }), postgresSqlDialect)).sort(),
    )
  })

  it('creates a schema that does not exist yet', async () => {
    const { db } = database()
    const schema = `sp_oauth_test_${randomSuffix()}`
    try {
      const storage = createPostgresStorage({ db }, { schema })
      await storage.migrate()
      expect(await tablesOf(db, schema, 'sp_oauth_')).toContain('sp_oauth_clients')
      const client = buildClientRecord()
      await storage.repositories.clients.insert(client)
      expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
    }
  })

  it('two table prefixes coexist in one schema, each with its own tables and migration history', async () => {
    const first = await migratedStorage()
    const second = await migratedStorage()
    const client = buildClientRecord()
    await first.storage.repositories.clients.insert(client)
    expect(await second.storage.repositories.clients.findById(client.id)).toBeNull()
    await second.storage.repositories.clients.insert(client)
    await second.storage.repositories.clients.revoke(client.id, new Date('2030-01-01T00:00:00.001Z'))
    expect(await first.storage.repositories.clients.findById(client.id)).toEqual(client)
    expect(await tablesOf(first.db, first.schema, second.tablePrefix)).toContain(
      `${second.tablePrefix}migration`,
    )
  })

  it('creates an index for every lookup the repositories make and every pruneExpired query (the leading columns of a real index)', async () => {
    const { tablePrefix, schema, db } = await migratedStorage()
    expect(missingIndexes(await indexesIn(db, schema), tablePrefix)).toEqual([])
  })

  it('creates the same indexes on PGlite', async () => {
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
    try {
      await createPostgresStorage({ db }).migrate()
      expect(missingIndexes(await indexesIn(db, 'public'), 'sp_oauth_')).toEqual([])
    } finally {
      await db.destroy()
    }
  }, 60_000)

  it('0002_prune_indexes: down drops the pruning indexes, up brings them back, each idempotent', async () => {
    const { tablePrefix, schema, db } = await migratedStorage()
    const migration = spOAuthMigrations(resolveTableNames({ tablePrefix, schema }), postgresSqlDialect)[
      '0002_prune_indexes'
    ]!
    await migration.down?.(db)
    await migration.down?.(db)
    const pruneIndexNames = PRUNE_INDEXES.map((index) => `${tablePrefix}${index.index}`)
    const names = async () => (await indexesIn(db, schema)).map((index) => index.name)
    // The outbox's comes from the first migration, the consent tickets' from 0007: they stay.
    expect((await names()).filter((name) => pruneIndexNames.includes(name)).sort()).toEqual([
      `${tablePrefix}consent_tickets_expires_at`,
      `${tablePrefix}event_outbox_undelivered`,
    ])
    await migration.up(db)
    await migration.up(db)
    expect(missingIndexes(await indexesIn(db, schema), tablePrefix)).toEqual([])
  })

  it('0006_user_revocation: down drops the (user_id, client_id) indexes, up brings them back, each idempotent', async () => {
    const { tablePrefix, schema, db } = await migratedStorage()
    const migration = spOAuthMigrations(resolveTableNames({ tablePrefix, schema }), postgresSqlDialect)[
      '0006_user_revocation'
    ]!
    const userIndexNames = [
      'access_tokens_user_client',
      'refresh_tokens_user_client',
      'consents_user_client',
    ].map((name) => `${tablePrefix}${name}`)
    const left = async () =>
      (await indexesIn(db, schema)).map((index) => index.name).filter((name) => userIndexNames.includes(name))
    expect((await left()).sort()).toEqual([...userIndexNames].sort())
    await migration.down?.(db)
    await migration.down?.(db)
    expect(await left()).toEqual([])
    expect(missingIndexes(await indexesIn(db, schema), tablePrefix).join('\n')).toMatch(/revokeByUser/)
    await migration.up(db)
    await migration.up(db)
    expect(missingIndexes(await indexesIn(db, schema), tablePrefix)).toEqual([])
  })
})

/** One index of the catalog. */
interface CatalogIndex {
  readonly table: string
  readonly name: string
  readonly columns: string[]
  readonly unique: boolean
}

async function indexesIn(db: Kysely<unknown>, schema: string): Promise<CatalogIndex[]> {
  const { rows } = await sql<CatalogIndex>`
    select t.relname as table, c.relname as name, i.indisunique as unique,
      array(select a.attname::text from unnest(i.indkey) with ordinality as k(attnum, n)
            join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.n) as columns
    from pg_index i
    join pg_class t on t.oid = i.indrelid
    join pg_class c on c.oid = i.indexrelid
    join pg_namespace s on s.oid = t.relnamespace
    where s.nspname = ${schema}`.execute(db)
  return rows
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

describe('createPostgresStorage', () => {
  it('refuses a table prefix or schema that is not a plain lower-case identifier, naming both', () => {
    const { db } = database()
    const attempt = () =>
      createPostgresStorage({ db }, { tablePrefix: 'x"; drop table y; --', schema: 'Public' })
    expect(attempt).toThrow(ConfigurationError)
    expect(attempt).toThrow(/tablePrefix[\s\S]*schema/)
    expect(() => resolveTableNames({ tablePrefix: `${'a'.repeat(33)}` })).toThrow(ConfigurationError)
    expect(resolveTableNames({ tablePrefix: '' }).tables.clients).toBe('clients')
  })

  it('works on a pg Pool it is given, and close() ends that pool', async () => {
    const { url, schema } = database()
    const pool = new pg.Pool({ connectionString: url, max: 2 })
    const storage = createPostgresStorage({ pool }, { tablePrefix: freshTablePrefix(), schema })
    await storage.migrate()
    const client = buildClientRecord()
    await storage.unitOfWork.run((tx) => tx.clients.insert(client))
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    await storage.close()
    expect(pool.ended).toBe(true)
  })

  it('works on a PGlite database it is given, and close() closes it', async () => {
    const pglite = new PGlite()
    const storage = createPostgresStorage({ pglite })
    await storage.migrate()
    const client = buildClientRecord()
    await storage.unitOfWork.run((tx) => tx.clients.insert(client))
    expect(await storage.repositories.clients.findById(client.id)).toEqual(client)
    await storage.close()
    expect(pglite.closed).toBe(true)
  }, 60_000)

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

  it('runs work again after a serialization failure, even one the work caught and replaced, so the loser sees the winner', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const winnerWrote = deferred<void>()
    const loserRead = deferred<void>()
    const winner = storage.unitOfWork.run(async (tx) => {
      await tx.clients.revoke(client.id, new Date('2030-01-01T00:00:00.001Z'))
      winnerWrote.resolve()
      await loserRead.promise
    })
    await winnerWrote.promise
    let attempts = 0
    const loser = storage.unitOfWork.run(async (tx) => {
      attempts++
      // The first read fixes the snapshot: the winner's change is not in it.
      const before = await tx.clients.findById(client.id)
      loserRead.resolve()
      try {
        // Waits for the winner's row lock, then fails: the row changed after the snapshot.
        return { before, revoked: await tx.clients.revoke(client.id, new Date('2030-01-02T00:00:00.001Z')) }
      } catch {
        throw new Error('the work replaced the storage error')
      }
    })
    await winner
    const outcome = await loser
    expect(attempts).toBe(2)
    expect(outcome.before?.revokedAt).toEqual(new Date('2030-01-01T00:00:00.001Z'))
    expect(outcome.revoked).toBeNull()
  })

  it('rejects with the serialization failure once the attempts are used up', async () => {
    const { tablePrefix, schema, db } = await migratedStorage()
    const storage = createSqlStorage(db, postgresSqlDialect, {
      tablePrefix,
      schema,
      retry: { maxAttempts: 1 },
    })
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const winnerWrote = deferred<void>()
    const loserRead = deferred<void>()
    const winner = storage.unitOfWork.run(async (tx) => {
      await tx.clients.revoke(client.id, new Date('2030-01-01T00:00:00.001Z'))
      winnerWrote.resolve()
      await loserRead.promise
    })
    await winnerWrote.promise
    const loser = storage.unitOfWork.run(async (tx) => {
      await tx.clients.findById(client.id)
      loserRead.resolve()
      return tx.clients.revoke(client.id, new Date('2030-01-02T00:00:00.001Z'))
    })
    // Awaited only after the winner, so handled at once: the loser may fail before the winner's
    // commit reaches this side.
    const loserFailed = expect(loser).rejects.toMatchObject({ code: '40001' })
    await winner
    await loserFailed
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
    const { storage, tablePrefix, schema, db } = await migratedStorage({ outbox: true })
    const client = buildClientRecord()
    const appended = events(client.id)
    await storage.unitOfWork.run(async (tx) => {
      await tx.clients.insert(client)
      await tx.outbox!.append(appended)
    })
    const rows = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(`${schema}.${tablePrefix}event_outbox`)} order by id`.execute(db)
    expect(rows.rows.map(({ id: _id, ...row }) => row)).toEqual([
      {
        event_id: appended[0]!.id,
        type: 'OAuthClientRevoked',
        aggregate_id: `client:${client.id}`,
        payload: JSON.parse(JSON.stringify(appended[0])),
        occurred_at: appended[0]!.occurredAt,
        delivered_at: null,
      },
      {
        event_id: appended[1]!.id,
        type: 'OAuthClientAuthenticationFailed',
        aggregate_id: 'client:unknown',
        payload: JSON.parse(JSON.stringify(appended[1])),
        occurred_at: appended[1]!.occurredAt,
        delivered_at: null,
      },
    ])
    expect(Number(rows.rows[0]!.id)).toBeLessThan(Number(rows.rows[1]!.id))
  })

  it('lets two relays claim undelivered rows in id order with FOR UPDATE SKIP LOCKED, never the same row', async () => {
    const { storage, tablePrefix, schema, db } = await migratedStorage({ outbox: true })
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    for (let i = 0; i < 3; i++) await storage.unitOfWork.run((tx) => tx.outbox!.append(events(client.id)))
    const outbox = sql.table(`${schema}.${tablePrefix}event_outbox`)
    const claim = (trx: Kysely<unknown>) =>
      sql<{
        id: string
      }>`select id from ${outbox} where delivered_at is null order by id limit 4 for update skip locked`.execute(
        trx,
      )
    const firstClaimed = deferred<string[]>()
    const secondDone = deferred<void>()
    const first = db.transaction().execute(async (trx) => {
      const { rows } = await claim(trx)
      firstClaimed.resolve(rows.map((row) => String(row.id)))
      await secondDone.promise
      await sql`update ${outbox} set delivered_at = now() where id in (${sql.join(rows.map((row) => row.id))})`.execute(
        trx,
      )
    })
    const firstIds = await firstClaimed.promise
    const secondIds = await db
      .transaction()
      .execute(async (trx) => (await claim(trx)).rows.map((row) => String(row.id)))
    secondDone.resolve()
    await first
    expect(firstIds).toHaveLength(4)
    expect(secondIds).toHaveLength(2)
    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([])
    expect([...firstIds, ...secondIds].map(Number)).toEqual(
      [...firstIds, ...secondIds].map(Number).sort((a, b) => a - b),
    )
  })
})

describe('values reaching storage', () => {
  it('consents of users whose ids differ only by quotes, backslashes and SQL are stored and matched exactly', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const userIds = [
      "o'brien",
      "o''brien",
      'o\\brien',
      "x' or '1'='1",
      'x"; drop table clients; --',
      '%',
      '_',
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

  it('a NUL byte in an indexed value is refused by the database, and nothing is stored', async () => {
    const { storage } = await migratedStorage()
    const client = buildClientRecord()
    await storage.repositories.clients.insert(client)
    const token = buildAccessTokenRecord({ clientId: client.id, userId: 'a\u0000b' })
    await expect(storage.repositories.accessTokens.insert(token)).rejects.toThrow()
    expect(await storage.repositories.accessTokens.findById(token.id)).toBeNull()
  })
})
