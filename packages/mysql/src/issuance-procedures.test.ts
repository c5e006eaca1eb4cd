// The stored procedures MySQL issues tokens with, on real MariaDB/MySQL: what the catalog says of
// them, what the migrations that (re)create them leave, and what a call runs on the server. What a
// call stores is the shared atomic issuance suite's (issuance-and-lookups.test.ts).
import type { Storage } from '@sp-oauth/core'
import { resolveTableNames, type SqlDialect, spOAuthMigrations } from '@sp-oauth/sql'
import { issue, storeCode, storeRefreshToken } from '@sp-oauth/storage-test-support/issuance-fixtures'
import { createTestPool, useMysqlTestDatabase } from '@sp-oauth/storage-test-support/mysql-test-database'
import { freshTablePrefix } from '@sp-oauth/storage-test-support/sql-test-helpers'
import { Kysely, MysqlDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createMysqlStorage } from './create-mysql-storage.js'
import { mysqlSqlDialect } from './mysql-sql-dialect.js'

const database = useMysqlTestDatabase()

const ISSUE_ACCESS_TOKEN = 'issue_access_token'
const REDEEM_CODE = 'redeem_code'
const ROTATE_REFRESH_TOKEN = 'rotate_refresh_token'

/** A migrated storage with tables of its own in this file's database. */
async function migratedStorage(options: { readonly outbox?: boolean; readonly db?: Kysely<unknown> } = {}) {
  const db = options.db ?? database().db
  const tablePrefix = freshTablePrefix()
  const storage = createMysqlStorage({ db }, { tablePrefix, outbox: options.outbox ?? false })
  await storage.migrate()
  const migrations = spOAuthMigrations(resolveTableNames({ tablePrefix }), mysqlSqlDialect)
  return { storage, tablePrefix, db, migrations }
}

/** The procedures of `tablePrefix`, by name without it, with their security type. */
async function proceduresOf(db: Kysely<unknown>, tablePrefix: string): Promise<Record<string, string>> {
  const { rows } = await sql<{ name: string; security: string }>`
    select routine_name as name, security_type as security from information_schema.routines
    where routine_schema = database() and routine_type = 'PROCEDURE'
      and left(routine_name, ${tablePrefix.length}) = ${tablePrefix}`.execute(db)
  return Object.fromEntries(rows.map((row) => [row.name.slice(tablePrefix.length), row.security]))
}

/** The names of the procedures of `tablePrefix`, without it, sorted. */
async function procedureNames(db: Kysely<unknown>, tablePrefix: string): Promise<string[]> {
  return Object.keys(await proceduresOf(db, tablePrefix)).sort()
}

/** A code exchange through the storage's atomic issuance: its status, or the error it failed with. */
async function exchangeCode(storage: Storage): Promise<string> {
  const { client, code } = await storeCode(storage)
  return storage
    .atomicIssuance!.redeemCode({ codeHash: code.codeHash, ...issue(client.id) })
    .then((result) => result.status)
}

describe('the issuance procedures', () => {
  it('are named by the table prefix and run with the rights of whoever calls them; each prefix has its own, writing its own tables', async () => {
    const first = await migratedStorage()
    const second = await migratedStorage()
    for (const { db, tablePrefix } of [first, second]) {
      expect(await proceduresOf(db, tablePrefix)).toEqual({
        [ISSUE_ACCESS_TOKEN]: 'INVOKER',
        [REDEEM_CODE]: 'INVOKER',
        [ROTATE_REFRESH_TOKEN]: 'INVOKER',
      })
    }
    // One client and code in both sets of tables: redeemed through the first, it stays unspent in the second.
    const { client, code } = await storeCode(first.storage)
    await second.storage.repositories.clients.insert(client)
    await second.storage.repositories.authorizationCodes.insert(code)
    const issued = issue(client.id)
    expect(
      await first.storage.atomicIssuance.redeemCode({ codeHash: code.codeHash, ...issued }),
    ).toMatchObject({
      status: 'issued',
    })
    expect(await second.storage.repositories.authorizationCodes.findByHash(code.codeHash)).toEqual(code)
    expect(await second.storage.repositories.accessTokens.findById(issued.accessToken.id)).toBeNull()
  })

  it('declare every string parameter utf8mb4 in the collation of the token columns, every time DATETIME(3)', async () => {
    const { db, tablePrefix } = await migratedStorage()
    const { rows: columns } = await sql<{ collation: string }>`
      select collation_name as collation from information_schema.columns
      where table_schema = database() and table_name = ${`${tablePrefix}authorization_codes`}
        and column_name = 'code_hash'`.execute(db)
    const { rows: parameters } = await sql<{
      procedure: string
      name: string
      type: string
      charset: string | null
      collation: string | null
      precision: number | null
    }>`
      select specific_name as ${sql.id('procedure')}, parameter_name as name, data_type as type,
        character_set_name as charset, collation_name as collation, datetime_precision as ${sql.id('precision')}
      from information_schema.parameters
      where specific_schema = database() and left(specific_name, ${tablePrefix.length}) = ${tablePrefix}`.execute(
      db,
    )
    expect(new Set(parameters.map((parameter) => parameter.procedure)).size).toBe(3)
    const strings = parameters.filter((parameter) => parameter.type === 'longtext')
    expect(strings.map((parameter) => parameter.name)).toContain('p_code_hash')
    for (const parameter of strings) {
      expect(parameter, parameter.name).toMatchObject({
        charset: 'utf8mb4',
        collation: columns[0]?.collation,
      })
    }
    for (const parameter of parameters.filter((parameter) => parameter.type === 'datetime')) {
      expect(Number(parameter.precision), parameter.name).toBe(3)
    }
    expect(new Set(parameters.map((parameter) => parameter.type))).toEqual(
      new Set(['longtext', 'datetime', 'tinyint']),
    )
  })

  it('store non-Latin text exactly even where the database’s default character set is latin1', async () => {
    const { db } = database()
    const { rows } = await sql<{ charset: string; collation: string }>`
      select default_character_set_name as charset, default_collation_name as collation
      from information_schema.schemata where schema_name = database()`.execute(db)
    const original = rows[0]!
    await sql`alter database character set latin1 collate latin1_swedish_ci`.execute(db)
    try {
      const { storage } = await migratedStorage({ outbox: true })
      const { client, code } = await storeCode(storage)
      const issued = issue(client.id, { userId: `日本語 Zürich 🙂👩‍👩‍👧 ${crypto.randomUUID()}`, events: 1 })
      expect(await storage.atomicIssuance.redeemCode({ codeHash: code.codeHash, ...issued })).toMatchObject({
        status: 'issued',
      })
      expect(await storage.repositories.accessTokens.findById(issued.accessToken.id)).toEqual(
        issued.accessToken,
      )
      expect(await storage.repositories.refreshTokens.findByHash(issued.refreshToken!.tokenHash)).toEqual(
        issued.refreshToken,
      )
    } finally {
      await sql`alter database character set ${sql.raw(original.charset)} collate ${sql.raw(original.collation)}`.execute(
        db,
      )
    }
  })

  it('skip the outbox insert on a call without events (0010_issuance_without_empty_events): the server runs one INSERT … SELECT for a call with events, none without', async () => {
    const { poolOptions } = database()
    // One connection, so the session's statement counters are the calls'.
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createTestPool({ ...poolOptions, connectionLimit: 1 }) }),
    })
    try {
      const { tablePrefix } = await migratedStorage({ db })
      const insertSelects = async () => {
        const { rows } = await sql<{ Value: string }>`show session status like 'Com_insert_select'`.execute(
          db,
        )
        return Number(rows[0]?.Value)
      }
      for (const outbox of [false, true]) {
        const storage = createMysqlStorage({ db }, { tablePrefix, outbox })
        const code = await storeCode(storage)
        const token = await storeRefreshToken(storage)
        const calls = {
          [REDEEM_CODE]: () =>
            storage.atomicIssuance.redeemCode({
              codeHash: code.code.codeHash,
              ...issue(code.client.id, { events: 2 }),
            }),
          [ROTATE_REFRESH_TOKEN]: () => {
            const next = issue(token.client.id, { events: 2 })
            return storage.atomicIssuance.rotateRefreshToken({
              tokenHash: token.refresh.tokenHash,
              ...next,
              refreshToken: next.refreshToken!,
            })
          },
        }
        for (const [procedure, call] of Object.entries(calls)) {
          const before = await insertSelects()
          expect(await call(), procedure).toEqual({ status: 'issued', eventsStored: outbox })
          expect(await insertSelects(), `${procedure}, outbox ${outbox}`).toBe(before + (outbox ? 1 : 0))
        }
      }
    } finally {
      await db.destroy()
    }
  })

  it('roll back everything on an error inside them, which reaches the caller as the database’s own (a duplicate key, errno 1062)', async () => {
    const { storage } = await migratedStorage({ outbox: true })
    const { client, code } = await storeCode(storage)
    const taken = issue(client.id)
    await storage.repositories.accessTokens.insert(taken.accessToken)
    const clash = issue(client.id, { events: 1 })
    await expect(
      storage.atomicIssuance.redeemCode({
        codeHash: code.codeHash,
        ...clash,
        accessToken: { ...clash.accessToken, id: taken.accessToken.id },
      }),
    ).rejects.toMatchObject({ errno: 1062 })
    expect(await storage.repositories.authorizationCodes.findByHash(code.codeHash)).toEqual(code)
    expect(await storage.repositories.refreshTokens.findByHash(clash.refreshToken!.tokenHash)).toBeNull()
  })
})

describe('the migrations that create the issuance procedures', () => {
  it('0003_atomic_issuance: down drops redeem_code and rotate_refresh_token, up creates them again, each idempotent', async () => {
    const { storage, tablePrefix, db, migrations } = await migratedStorage()
    const migration = migrations['0003_atomic_issuance']!
    await migration.down?.(db)
    await migration.down?.(db)
    expect(await procedureNames(db, tablePrefix)).toEqual([ISSUE_ACCESS_TOKEN])
    await expect(exchangeCode(storage)).rejects.toMatchObject({ errno: 1305 })
    await migration.up(db)
    await migration.up(db)
    expect(await procedureNames(db, tablePrefix)).toEqual([
      ISSUE_ACCESS_TOKEN,
      REDEEM_CODE,
      ROTATE_REFRESH_TOKEN,
    ])
    expect(await exchangeCode(storage)).toBe('issued')
  })

  it('0005_issuance_client_live: down drops issue_access_token alone, up creates all three again, each idempotent', async () => {
    const { storage, tablePrefix, db, migrations } = await migratedStorage({ outbox: true })
    const migration = migrations['0005_issuance_client_live']!
    const issueWithEvents = async () => {
      const { client } = await storeCode(storage)
      const issued = issue(client.id, { refreshToken: false, events: 1 })
      return (await storage.atomicIssuance.issueAccessToken({ ...issued, refreshToken: null })).status
    }
    await migration.down?.(db)
    await migration.down?.(db)
    expect(await procedureNames(db, tablePrefix)).toEqual([REDEEM_CODE, ROTATE_REFRESH_TOKEN])
    await expect(issueWithEvents()).rejects.toMatchObject({ errno: 1305 })
    expect(await exchangeCode(storage)).toBe('issued')
    await migration.up(db)
    await migration.up(db)
    expect(await procedureNames(db, tablePrefix)).toEqual([
      ISSUE_ACCESS_TOKEN,
      REDEEM_CODE,
      ROTATE_REFRESH_TOKEN,
    ])
    expect(await issueWithEvents()).toBe('issued')
  })

  it('each refuses a dialect that names no collation for the procedure parameters, creating none', async () => {
    const { tablePrefix, db } = await migratedStorage()
    const withoutCollation: SqlDialect = {
      ...mysqlSqlDialect,
      schemaTypes: async (migrationDb) => ({
        ...(await mysqlSqlDialect.schemaTypes(migrationDb)),
        collation: null,
      }),
    }
    const names = resolveTableNames({ tablePrefix })
    const current = spOAuthMigrations(names, mysqlSqlDialect)
    await current['0005_issuance_client_live']!.down?.(db)
    await current['0003_atomic_issuance']!.down?.(db)
    expect(await procedureNames(db, tablePrefix)).toEqual([])
    const refusing = spOAuthMigrations(names, withoutCollation)
    for (const name of [
      '0003_atomic_issuance',
      '0005_issuance_client_live',
      '0010_issuance_without_empty_events',
    ]) {
      await expect(refusing[name]!.up(db), name).rejects.toThrow(/collation/)
      expect(await procedureNames(db, tablePrefix), name).toEqual([])
    }
  })
})
