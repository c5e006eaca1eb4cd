import { describe, expect, it } from 'vitest'
import { answeringKysely } from '../atomic-issuance/answering-kysely.js'
import { resolveTableNames } from '../table-names.js'
import { mysqlLikeDialect, testDialect } from '../test-support/test-dialect.js'
import { atomicIssuanceProcedures } from './atomic-issuance-procedures.js'

const NAMES = resolveTableNames({ tablePrefix: 'app_' })

describe('migration 0003_atomic_issuance', () => {
  it('with stored procedures: drops, then creates, each procedure; down drops them', async () => {
    const { db, queries } = answeringKysely('mysql', () => [])
    const migration = atomicIssuanceProcedures(NAMES, mysqlLikeDialect('utf8mb4_nopad_bin'))
    await migration.up(db)
    expect(queries.map((query) => query.sql.split('(')[0])).toEqual([
      'drop procedure if exists `app_redeem_code`',
      'create procedure `app_redeem_code`',
      'drop procedure if exists `app_rotate_refresh_token`',
      'create procedure `app_rotate_refresh_token`',
    ])
    queries.length = 0
    await migration.down?.(db)
    expect(queries.map((query) => query.sql)).toEqual([
      'drop procedure if exists `app_redeem_code`',
      'drop procedure if exists `app_rotate_refresh_token`',
    ])
  })

  it('refuses to create procedures whose parameters would not know the tables collation', async () => {
    const { db } = answeringKysely('mysql', () => [])
    await expect(atomicIssuanceProcedures(NAMES, mysqlLikeDialect(null)).up(db)).rejects.toThrow('collation')
  })

  it('with data-modifying WITH (PostgreSQL): does nothing, up or down', async () => {
    const { db, queries } = answeringKysely('postgres', () => [])
    const migration = atomicIssuanceProcedures(NAMES, testDialect)
    await migration.up(db)
    await migration.down?.(db)
    expect(queries).toEqual([])
  })
})
