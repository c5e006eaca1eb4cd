import { describe, expect, it } from 'vitest'
import { resolveTableNames } from '../table-names.js'
import { testDialect } from '../test-support/test-dialect.js'
import { spOAuthMigrations } from './migrate-to-latest.js'

// What the migration does on MariaDB and PostgreSQL is checked there (@sp-oauth/mysql's and
// @sp-oauth/postgres's issuance-procedures / issuance-migrations tests).
describe('migration 0010_issuance_without_empty_events', () => {
  it('is registered last, after every migration that created the procedures', () => {
    const names = Object.keys(spOAuthMigrations(resolveTableNames({ tablePrefix: 'app_' }), testDialect))
    expect(names.at(-1)).toBe('0010_issuance_without_empty_events')
  })
})
