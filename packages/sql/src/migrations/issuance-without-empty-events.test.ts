import { describe, expect, it } from 'vitest'
import { resolveTableNames } from '../table-names.js'
import { testDialect } from '../test-support/test-dialect.js'
import { spOAuthMigrations } from './migrate-to-latest.js'

// What the migration does on MariaDB and PostgreSQL is checked there (@sp-oauth/mysql's and
// @sp-oauth/postgres's issuance-procedures / issuance-migrations tests).
describe('migration 0010_issuance_without_empty_events', () => {
  it('is registered after every migration that created or replaced the procedures', () => {
    const names = Object.keys(spOAuthMigrations(resolveTableNames({ tablePrefix: 'app_' }), testDialect))
    const position = names.indexOf('0010_issuance_without_empty_events')
    expect(position).toBeGreaterThan(names.indexOf('0003_atomic_issuance'))
    expect(position).toBeGreaterThan(names.indexOf('0005_issuance_client_live'))
  })
})
