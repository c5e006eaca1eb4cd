import { describe, expect, it } from 'vitest'
import { answeringKysely } from '../atomic-issuance/answering-kysely.js'
import { resolveTableNames } from '../table-names.js'
import { mysqlLikeDialect, testDialect } from '../test-support/test-dialect.js'
import { issuanceWithoutEmptyEvents } from './issuance-without-empty-events.js'
import { spOAuthMigrations } from './migrate-to-latest.js'

const NAMES = resolveTableNames({ tablePrefix: 'app_' })

describe('migration 0010_issuance_without_empty_events', () => {
  it('is registered last, after every migration that created the procedures', () => {
    const names = Object.keys(spOAuthMigrations(NAMES, testDialect))
    expect(names.at(-1)).toBe('0010_issuance_without_empty_events')
  })

  it('with stored procedures: recreates every issuance procedure, each inserting outbox rows only for a call with events', async () => {
    const { db, queries } = answeringKysely('mysql', () => [])
    await issuanceWithoutEmptyEvents(NAMES, mysqlLikeDialect('utf8mb4_nopad_bin')).up(db)
    expect(queries.map((query) => query.sql.split('(')[0])).toEqual([
      'drop procedure if exists `app_issue_access_token`',
      'create procedure `app_issue_access_token`',
      'drop procedure if exists `app_redeem_code`',
      'create procedure `app_redeem_code`',
      'drop procedure if exists `app_rotate_refresh_token`',
      'create procedure `app_rotate_refresh_token`',
    ])
    for (const created of queries.filter((query) => query.sql.startsWith('create'))) {
      expect(created.sql).toMatch(/if `p_events` <> '\[\]' then\s+insert into `app_event_outbox`/)
    }
  })

  it('with data-modifying WITH (PostgreSQL): does nothing, up or down', async () => {
    const { db, queries } = answeringKysely('postgres', () => [])
    const migration = issuanceWithoutEmptyEvents(NAMES, testDialect)
    await migration.up(db)
    await migration.down?.(db)
    expect(queries).toEqual([])
  })
})
