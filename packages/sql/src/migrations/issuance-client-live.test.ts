import { describe, expect, it } from 'vitest'
import { answeringKysely } from '../atomic-issuance/answering-kysely.js'
import { resolveTableNames } from '../table-names.js'
import { mysqlLikeDialect, testDialect } from '../test-support/test-dialect.js'
import { issuanceClientLive } from './issuance-client-live.js'
import { spOAuthMigrations } from './migrate-to-latest.js'

const NAMES = resolveTableNames({ tablePrefix: 'app_' })

describe('migration 0005_issuance_client_live', () => {
  it('is registered after 0003_atomic_issuance, whose procedures it recreates', () => {
    const names = Object.keys(spOAuthMigrations(NAMES, testDialect))
    expect(names.indexOf('0005_issuance_client_live')).toBeGreaterThan(names.indexOf('0003_atomic_issuance'))
  })

  it('with stored procedures: drops, then creates, every issuance procedure; down drops issue_access_token', async () => {
    const { db, queries } = answeringKysely('mysql', () => [])
    const migration = issuanceClientLive(NAMES, mysqlLikeDialect('utf8mb4_nopad_bin'))
    await migration.up(db)
    expect(queries.map((query) => query.sql.split('(')[0])).toEqual([
      'drop procedure if exists `app_issue_access_token`',
      'create procedure `app_issue_access_token`',
      'drop procedure if exists `app_redeem_code`',
      'create procedure `app_redeem_code`',
      'drop procedure if exists `app_rotate_refresh_token`',
      'create procedure `app_rotate_refresh_token`',
    ])
    queries.length = 0
    await migration.down?.(db)
    expect(queries.map((query) => query.sql)).toEqual(['drop procedure if exists `app_issue_access_token`'])
  })

  it('refuses to create procedures whose parameters would not know the tables collation', async () => {
    const { db } = answeringKysely('mysql', () => [])
    await expect(issuanceClientLive(NAMES, mysqlLikeDialect(null)).up(db)).rejects.toThrow('collation')
  })

  it('with data-modifying WITH (PostgreSQL): does nothing, up or down', async () => {
    const { db, queries } = answeringKysely('postgres', () => [])
    const migration = issuanceClientLive(NAMES, testDialect)
    await migration.up(db)
    await migration.down?.(db)
    expect(queries).toEqual([])
  })
})
