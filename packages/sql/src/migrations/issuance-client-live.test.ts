import { describe, expect, it } from 'vitest'
import { resolveTableNames } from '../table-names.js'
import { testDialect } from '../test-support/test-dialect.js'
import { spOAuthMigrations } from './migrate-to-latest.js'

// What the migration does on MariaDB and PostgreSQL is checked there (@sp-oauth/mysql's and
// @sp-oauth/postgres's issuance-procedures / issuance-migrations tests).
describe('migration 0005_issuance_client_live', () => {
  it('is registered after 0003_atomic_issuance, whose procedures it recreates', () => {
    const names = Object.keys(spOAuthMigrations(resolveTableNames({ tablePrefix: 'app_' }), testDialect))
    expect(names.indexOf('0005_issuance_client_live')).toBeGreaterThan(names.indexOf('0003_atomic_issuance'))
  })
})
